#!/bin/bash
# Regenerate the real test captures of tlsdiag on a private loopback.
#
# usage: captures/generate.sh [SCENARIO...]      (as root; default: all scenarios)
#
# Every scenario runs a real TLS stack (OpenSSL 3.0 s_server/s_client, GnuTLS
# gnutls-serv/gnutls-cli) or a small stdlib python3 helper (written to a temp
# dir from this file) against the other, inside a private network namespace
# (unshare -n) whose loopback has an Ethernet-like MTU of 1500, captured by
# tcpdump into captures/NAME.pcap (one file per scenario, classic pcap,
# LINKTYPE_EN10MB). Client key logs go to captures/NAME.keylog.
#
# Ports are fixed so that captures/README.md and tests/e2e/expected.tsv stay
# valid after a regeneration: scenario number N listens on 44300+N and its
# k-th client connection (k = 0, 1) leaves from port 50000+10*N+k (the
# namespace's ephemeral port range is narrowed to that one port before each
# client starts). Afterwards run tests/e2e/derive_expected.py to cross-check
# tests/e2e/expected.tsv against what tshark sees in the new files.
#
# Requires: unshare, ip, ss, tcpdump, openssl, gnutls-bin (gnutls-serv,
# gnutls-cli, certtool), python3, tcprewrite (tcpreplay), mergecap
# (wireshark-common).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$HERE

if [ "${TLSDIAG_GEN_IN_NETNS:-}" != 1 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "generate.sh: must run as root (unshare -n, tcpdump)" >&2
        exit 1
    fi
    exec unshare -n env TLSDIAG_GEN_IN_NETNS=1 "$0" "$@"
fi

WORK=$(mktemp -d /tmp/tlsdiag-gen.XXXXXX)
PIDS=()
TCPDUMP_PID=
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

log() { echo "[generate] $*" >&2; }

# ------------------------------------------------------------------ network
ip link set lo mtu 1500
ip link set lo up
# no GSO/GRO super-segments: what tcpdump sees must look like Ethernet frames
ip link set dev lo gso_max_size 1500 2>/dev/null || true
ip link set dev lo gro_max_size 1500 2>/dev/null || true
sysctl -qw net.ipv4.tcp_timestamps=1

# ------------------------------------------------------------------ helpers (python3, stdlib)
cat > "$WORK/helpers.py" <<'PYEOF'
"""Small TCP peers for tlsdiag's captures (python3 stdlib only).

  http PORT             answer whatever arrives with an HTTP 400 text, then close
  silent PORT           accept, read and never answer; close when the client closes
  rst PORT [TTL DELAY]  read the whole ClientHello record, then reset (SO_LINGER 0);
                        with TTL: first set the socket's TTL / hop limit to TTL and
                        wait DELAY seconds, like an injecting middlebox would look
  plainclient PORT      connect, send an HTTP request in clear text, read until EOF
  badhello PORT         connect, send a ClientHello whose cipher_suites vector is
                        longer than the message that holds it
  check PCAP            exit 1 unless every connection in PCAP is whole
  tls12stub PORT        answer any ClientHello with a bare TLS 1.2 ServerHello, the
                        way a TLS 1.2-only server that ignores supported_versions does
  proxy PORT UPPORT SRCPORT MODE
                        one-connection TLS-aware relay; MODE is
                        tamper_ske: flip the last byte of the ServerKeyExchange
                                    signature
                        tamper_fin: flip the last byte of the client's encrypted
                                    Finished record (first record after its CCS)
"""
import select, socket, struct, sys, time

def listener(port, v6=False):
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::1" if v6 else "127.0.0.1", port))
    s.listen(8)
    return s

def read_record(c, timeout=3.0):
    """Read one whole TLS record (header + body) or whatever came before EOF."""
    c.settimeout(timeout)
    buf = b""
    try:
        while True:
            if len(buf) >= 5:
                need = 5 + struct.unpack("!H", buf[3:5])[0]
                if len(buf) >= need:
                    return buf
            d = c.recv(65536)
            if not d:
                return buf
            buf += d
    except OSError:
        return buf

def drain(c, timeout=3.0):
    c.settimeout(timeout)
    try:
        while c.recv(65536):
            pass
    except OSError:
        pass

def srv_http(port):
    s = listener(port)
    while True:
        c, _ = s.accept()
        c.settimeout(2)
        try:
            c.recv(65536)
        except OSError:
            pass
        body = b"<html><body>400 Bad Request</body></html>\r\n"
        c.sendall(b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Type: text/html\r\n"
                  b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
        c.shutdown(socket.SHUT_WR)
        drain(c, 2)
        c.close()

def srv_silent(port):
    s = listener(port)
    while True:
        c, _ = s.accept()
        drain(c, 30)
        c.close()

def srv_rst(port, ttl=None, delay=0.0, v6=False):
    s = listener(port, v6)
    while True:
        c, _ = s.accept()
        read_record(c)
        if ttl is not None:
            if v6:
                c.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl)
            else:
                c.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
        if delay:
            time.sleep(delay)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()

def cli_plain(port):
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(b"GET / HTTP/1.1\r\nHost: server.tlsdiag.test\r\nUser-Agent: curl/7.88.1\r\n"
              b"Accept: */*\r\n\r\n")
    c.settimeout(3)
    got = b""
    try:
        while True:
            d = c.recv(65536)
            if not d:
                break
            got += d
    except OSError as e:
        print("plainclient:", e, file=sys.stderr)
    print("plainclient got %d bytes: %r" % (len(got), got[:80]), file=sys.stderr)
    c.close()

def cli_badhello(port):
    # The record and the handshake header agree on the length, but the
    # cipher_suites vector claims 0x0100 bytes where only 4 bytes are left.
    body = b"\x03\x03" + bytes(range(32)) + b"\x00" + b"\x01\x00\x13\x01" + b"\x01\x00"
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    rec = b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(rec)
    got = b""
    c.settimeout(3)
    try:
        while True:
            d = c.recv(65536)
            if not d:
                break
            got += d
    except OSError as e:
        print("badhello:", e, file=sys.stderr)
    print("badhello got %r" % got, file=sys.stderr)
    c.close()

def srv_tls12stub(port):
    """Answer a ClientHello like a TLS 1.2-only server that ignores supported_versions:
    a ServerHello for TLS 1.2 (ECDHE-RSA-AES128-GCM-SHA256), then wait for the peer."""
    s = listener(port)
    while True:
        c, _ = s.accept()
        rec = read_record(c)
        # a new session id (echoing the client's would announce a resumption)
        sid = bytes(range(0x80, 0xA0)) if rec[5:6] == b"\x01" else b""
        exts = b"\xff\x01\x00\x01\x00" + b"\x00\x0b\x00\x02\x01\x00"
        body = (b"\x03\x03" + bytes(range(0x40, 0x60)) + bytes([len(sid)]) + sid +
                b"\xc0\x2f\x00" + struct.pack("!H", len(exts)) + exts)
        msg = b"\x02" + struct.pack("!I", len(body))[1:] + body
        c.sendall(b"\x16\x03\x03" + struct.pack("!H", len(msg)) + msg)
        drain(c, 3)
        c.close()

class Dir:
    """One direction of the relay: frames TLS records and lets a hook edit them."""
    def __init__(self, name, hook):
        self.name, self.hook, self.buf, self.ccs = name, hook, b"", False
    def feed(self, data):
        self.buf += data
        out = b""
        while len(self.buf) >= 5:
            n = 5 + struct.unpack("!H", self.buf[3:5])[0]
            if len(self.buf) < n:
                break
            rec, self.buf = self.buf[:n], self.buf[n:]
            out += self.hook(self, rec)
        return out

def flip_last(rec):
    return rec[:-1] + bytes([rec[-1] ^ 0x01])

def proxy(port, upport, srcport, mode):
    s = listener(port)
    c, _ = s.accept()
    u = socket.socket()
    u.bind(("127.0.0.1", srcport))
    u.connect(("127.0.0.1", upport))
    def c2s(d, rec):
        if mode == "tamper_fin":
            if rec[0] == 20:
                d.ccs = True
            elif d.ccs and rec[0] == 22:
                d.ccs = False
                print("proxy: flipped the client's Finished record", file=sys.stderr)
                return flip_last(rec)
        return rec

    def s2c(d, rec):
        if mode == "tamper_ske" and rec[0] == 22 and not d.ccs:
            body, q = rec[5:], 0
            while q + 4 <= len(body):
                t = body[q]
                l = struct.unpack("!I", b"\0" + body[q + 1:q + 4])[0]
                if t == 12 and q + 4 + l <= len(body):
                    print("proxy: flipped the ServerKeyExchange signature", file=sys.stderr)
                    end = 5 + q + 4 + l
                    return rec[:end - 1] + bytes([rec[end - 1] ^ 0x01]) + rec[end:]
                q += 4 + l
        if rec[0] == 20:
            d.ccs = True
        return rec

    dirs = {c: (u, Dir("c2s", c2s)), u: (c, Dir("s2c", s2c))}
    open_ = {c, u}
    while open_:
        r, _, _ = select.select(list(open_), [], [], 5)
        if not r:
            break
        for sock in r:
            other, d = dirs[sock]
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                other.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                other.close()
                sock.close()
                return
            if not data:
                open_.discard(sock)
                if d.buf:
                    other.sendall(d.buf)
                try:
                    other.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                continue
            out = d.feed(data)
            if out:
                try:
                    other.sendall(out)
                except OSError:
                    pass
    c.close()
    u.close()

def check_capture(path):
    """Exit 1 unless every TCP connection in PATH is whole: no hole in either direction's
    sequence space, and it ends with a RST or with a FIN from both sides."""
    data = open(path, "rb").read()
    lt = struct.unpack("<I", data[20:24])[0]
    off, conns = 24, {}
    while off + 16 <= len(data):
        caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
        fr = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        if lt == 1:
            et, ip = struct.unpack("!H", fr[12:14])[0], fr[14:]
        elif lt == 276:
            et, ip = struct.unpack("!H", fr[0:2])[0], fr[20:]
        else:
            sys.exit("check: link type %d" % lt)
        if et == 0x0800:
            tcp, plen = ip[(ip[0] & 15) * 4:], struct.unpack("!H", ip[2:4])[0] - (ip[0] & 15) * 4
        elif et == 0x86DD:
            tcp, plen = ip[40:], struct.unpack("!H", ip[4:6])[0]
        else:
            continue
        sp, dp, seq = struct.unpack("!HHI", tcp[:8])
        fl = tcp[13]
        dlen = plen - (tcp[12] >> 4) * 4
        key = (min(sp, dp), max(sp, dp))
        c = conns.setdefault(key, {})
        d = c.setdefault(sp, {"next": None, "fin": False})
        if fl & 0x04:
            c["rst"] = True
            continue
        if fl & 0x02:
            d["next"] = (seq + 1) & 0xFFFFFFFF
            continue
        if d["next"] is None:
            sys.exit("check: %s: port %d sent before its SYN" % (path, sp))
        if dlen or fl & 0x01:
            if ((seq - d["next"]) & 0xFFFFFFFF) < 0x80000000 and seq != d["next"]:
                sys.exit("check: %s: hole before seq %d from port %d" % (path, seq, sp))
            end = (seq + dlen + (1 if fl & 0x01 else 0)) & 0xFFFFFFFF
            if ((end - d["next"]) & 0xFFFFFFFF) < 0x80000000:
                d["next"] = end
        if fl & 0x01:
            d["fin"] = True
    for key, c in conns.items():
        sides = [v for k, v in c.items() if k != "rst"]
        if not c.get("rst") and not (len(sides) == 2 and all(v["fin"] for v in sides)):
            sys.exit("check: %s: connection %s ends without RST or both FINs" % (path, key))

def main():
    a = sys.argv[1:]
    m = a[0]
    if m == "http":
        srv_http(int(a[1]))
    elif m == "silent":
        srv_silent(int(a[1]))
    elif m in ("rst", "rst6"):
        ttl = int(a[2]) if len(a) > 2 else None
        delay = float(a[3]) if len(a) > 3 else 0.0
        srv_rst(int(a[1]), ttl, delay, m == "rst6")
    elif m == "plainclient":
        cli_plain(int(a[1]))
    elif m == "badhello":
        cli_badhello(int(a[1]))
    elif m == "check":
        check_capture(a[1])
    elif m == "tls12stub":
        srv_tls12stub(int(a[1]))
    elif m == "proxy":
        proxy(int(a[1]), int(a[2]), int(a[3]), a[4])
    else:
        sys.exit("unknown mode " + m)

if __name__ == "__main__":
    main()
PYEOF
HELP=(python3 "$WORK/helpers.py")

# ------------------------------------------------------------------ PKI
# root CA -> intermediate CA -> server leaf (SAN server.tlsdiag.test) and client
# leaf; a second, unrelated root ("other CA") with its own client leaf; an
# expired server leaf (certtool can back-date, openssl 3.0 x509 cannot).
# Kept in captures/pki/ (keys too: a test-only PKI) and reused, so a partial
# regeneration matches the other captures; NEW_PKI=1 makes a new one.
P=$OUT/pki
make_pki() {
    rm -rf "$P"
    mkdir -p "$P"
    cd "$P"
    q() { "$@" >/dev/null 2>&1; }
    cat > ca.ext <<'EOF'
basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOF
    cat > inter.ext <<'EOF'
basicConstraints=critical,CA:true,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOF
    cat > server.ext <<'EOF'
basicConstraints=critical,CA:false
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:server.tlsdiag.test
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOF
    cat > client.ext <<'EOF'
basicConstraints=critical,CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOF
    newkey() { q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key"; }
    root() { # name subject
        newkey "$1"
        q openssl req -new -x509 -key "$1.key" -subj "$2" -days 3650 -set_serial "0x$(openssl rand -hex 8)" \
            -extensions v3_ca -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$1.pem"
    }
    issue() { # name subject issuer extfile days
        newkey "$1"
        q openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
        q openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -set_serial "0x$(openssl rand -hex 8)" \
            -days "$5" -extfile "$4" -out "$1.pem"
    }
    root ca "/O=tlsdiag test/CN=tlsdiag Test Root CA"
    issue inter "/O=tlsdiag test/CN=tlsdiag Test Intermediate CA" ca inter.ext 3000
    issue server "/O=tlsdiag test/CN=server.tlsdiag.test" inter server.ext 2000
    issue client "/O=tlsdiag test/CN=client.tlsdiag.test" inter client.ext 2000
    root other-ca "/O=Elsewhere/CN=Other Root CA"
    issue rogue-client "/O=Elsewhere/CN=rogue.client.test" other-ca client.ext 2000
    newkey expired
    cat > expired.tmpl <<'EOF'
organization = "tlsdiag test"
cn = "server.tlsdiag.test"
dns_name = "server.tlsdiag.test"
serial = 4242
activation_date = "2020-01-01 00:00:00"
expiration_date = "2021-01-01 00:00:00"
tls_www_server
signing_key
encryption_key
EOF
    q certtool --generate-certificate --load-privkey expired.key --load-ca-certificate inter.pem \
        --load-ca-privkey inter.key --template expired.tmpl --outfile expired.pem
    cat server.pem inter.pem > server.chain.pem
    cat expired.pem inter.pem > expired.chain.pem
    cat client.pem inter.pem > client.chain.pem
    rm -f ./*.csr ./*.ext ./*.tmpl ./*.srl
    echo "test-only PKI made by generate.sh; do not trust it anywhere" > README
    cd - >/dev/null
}
if [ -n "${NEW_PKI:-}" ] || [ ! -s "$P/README" ] || [ ! -s "$P/expired.chain.pem" ]; then
    log "making a new PKI in $P"
    make_pki
fi

# ------------------------------------------------------------------ scenario plumbing
mkfifo "$WORK/stdin.fifo"
exec 7<>"$WORK/stdin.fifo"
NAME="" PORT="" NUM="" GRACE=0.2
KEYLOG=
cport() { # k: the next client connection leaves from 50000+10*NUM+k
    local p=$((50000 + 10 * NUM + $1))
    sysctl -qw net.ipv4.ip_local_port_range="$p $p"
}
want() { # name: is this scenario selected on the command line?
    [ "${#SELECT[@]}" = 0 ] && return 0
    local s
    for s in "${SELECT[@]}"; do [ "$s" = "$1" ] && return 0; done
    return 1
}
begin() { # NUM NAME [IFACE]
    NUM=$1 NAME=$2
    PORT=$((44300 + NUM))
    local iface=${3:-lo}
    KEYLOG=$OUT/$NAME.keylog
    rm -f "$OUT/$NAME.pcap" "$KEYLOG"
    # --immediate-mode: packets reach the file at once, so stopping tcpdump right
    # after the clients loses nothing. Not on "any": there libpcap 1.10's immediate
    # mode lost packets in the middle of connections here; without it the ring's
    # 1 s block timeout needs a longer grace before tcpdump is stopped.
    local imm=(--immediate-mode)
    GRACE=0.2
    if [ "$iface" = any ]; then imm=(); GRACE=1.5; fi
    tcpdump -Z root -i "$iface" -s 0 -U "${imm[@]}" -w "$OUT/$NAME.pcap" "tcp port $PORT" 2>"$WORK/$NAME.tcpdump" &
    TCPDUMP_PID=$!
    PIDS+=("$TCPDUMP_PID")
    local i
    for i in $(seq 1 100); do
        grep -q "listening on" "$WORK/$NAME.tcpdump" && break
        sleep 0.05
    done
    SRV_PIDS=()
}
srv() { # command...: start a server in the background, wait until it listens
    # stdin: a FIFO that the main shell holds open, so it never reaches EOF
    # (s_server ends the connection on EOF of its stdin, even with -ign_eof)
    ( cd "$WORK" && exec "$@" ) >"$WORK/$NAME.srv.out" 2>"$WORK/$NAME.srv.err" <"$WORK/stdin.fifo" &
    local pid=$!
    PIDS+=("$pid")
    SRV_PIDS+=("$pid")
    local i
    for i in $(seq 1 100); do
        if ss -Hltn "sport = :$PORT" | grep -q .; then return 0; fi
        sleep 0.05
    done
    log "$NAME: server on port $PORT did not start"
    return 1
}
cli() { # k seconds command...: run one client, stdin from $CLI_IN (default /dev/null)
    local k=$1 t=$2
    shift 2
    cport "$k"
    local rc=0
    ( cd "$WORK" && timeout "$t" "$@" ) <"${CLI_IN:-/dev/null}" >>"$WORK/$NAME.cli.out" 2>>"$WORK/$NAME.cli.err" || rc=$?
    echo "client $k rc=$rc" >>"$WORK/$NAME.cli.err"
    CLI_IN=
}
end() {
    sleep 0.3
    local p
    for p in "${SRV_PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    sleep "$GRACE"
    kill -INT "$TCPDUMP_PID" 2>/dev/null || true
    wait "$TCPDUMP_PID" 2>/dev/null || true
    [ -s "$KEYLOG" ] || rm -f "$KEYLOG"
    local n
    n=$(grep -o '[0-9]* packets captured' "$WORK/$NAME.tcpdump" || true)
    log "$NAME (port $PORT): $n; $(grep -h 'rc=' "$WORK/$NAME.cli.err" | tr '\n' ' ')"
    if [ -n "${VERBOSE:-}" ]; then
        tail -n 5 "$WORK/$NAME.srv.err" "$WORK/$NAME.cli.err" >&2 || true
    fi
}

printf 'GET /hello.txt HTTP/1.0\r\nHost: server.tlsdiag.test\r\n\r\n' > "$WORK/request.txt"
printf 'hello from the tlsdiag test server\n' > "$WORK/hello.txt"

SNI=server.tlsdiag.test
OSRV=(openssl s_server -accept "" -naccept 2 -ign_eof -cert "$P/server.pem" -key "$P/server.key"
      -cert_chain "$P/inter.pem" -CAfile "$P/ca.pem")
osrv() { # extra args: OpenSSL server on $PORT
    local a=("${OSRV[@]}")
    a[3]=$PORT
    srv "${a[@]}" "$@"
}
ocli() { # k extra args: OpenSSL client (verifies the server against the test root)
    local k=$1
    shift
    cli "$k" 4 openssl s_client -connect "127.0.0.1:$PORT" -servername "$SNI" \
        -verify_hostname "$SNI" -CAfile "$P/ca.pem" -verify_return_error \
        -keylogfile "$KEYLOG" "$@"
}
# a client that sends one HTTP request and reads until the server closes
# (-ign_eof: the end of stdin does not end the connection)
ocli_req() {
    local k=$1
    shift
    CLI_IN=$WORK/request.txt
    ocli "$k" -ign_eof "$@"
}
GSRV=(gnutls-serv --x509certfile "$P/server.chain.pem" --x509keyfile "$P/server.key")
gsrv() { srv "${GSRV[@]}" -p "$PORT" "$@"; }
gcli() { # k extra args: GnuTLS client, key log via SSLKEYLOGFILE
    local k=$1
    shift
    cli "$k" 4 env SSLKEYLOGFILE="$KEYLOG" gnutls-cli -p "$PORT" --sni-hostname "$SNI" \
        --verify-hostname "$SNI" "$@" 127.0.0.1
}

SELECT=("$@")

# scenario NAME: run sc_NAME when selected; rerun it (up to 3 times) when the capture
# is not whole (the capture missed a segment or a connection's end)
scenario() {
    want "$1" || return 0
    local attempt
    for attempt in 1 2 3; do
        UNENDED_OK=
        "sc_$1"
        if [ -n "$UNENDED_OK" ] || "${HELP[@]}" check "$OUT/$1.pcap"; then
            return 0
        fi
        log "$1: capture not whole (attempt $attempt), again"
    done
    log "WARNING: $1: no whole capture in 3 attempts"
}

# ================================================================== scenarios
# Numbers are fixed (they choose the ports); do not renumber, append.

# --- established -------------------------------------------------------------
sc_tls12_ok() {
    begin 1 tls12_ok
    osrv -tls1_2 -WWW
    ocli_req 0 -tls1_2
    end
}
scenario tls12_ok
sc_tls13_ok() {
    begin 2 tls13_ok
    osrv -WWW
    ocli_req 0
    end
}
scenario tls13_ok
sc_tls13_hrr_ok() {            # row 14: server only has P-256, client's key share is X25519
    begin 3 tls13_hrr_ok
    osrv -WWW -groups P-256
    ocli_req 0
    end
}
scenario tls13_hrr_ok
sc_tls12_resumed() {           # row 18: full handshake, then resumption with the ticket
    begin 4 tls12_resumed
    osrv -tls1_2 -WWW
    ocli_req 0 -tls1_2 -sess_out "$WORK/sess12"
    ocli_req 1 -tls1_2 -sess_in "$WORK/sess12"
    end
}
scenario tls12_resumed
sc_tls13_resumed() {
    begin 5 tls13_resumed
    osrv -WWW
    ocli_req 0 -sess_out "$WORK/sess13"
    ocli_req 1 -sess_in "$WORK/sess13"
    end
}
scenario tls13_resumed

# --- failures -------------------------------------------------------------------
sc_tls12_no_shared_cipher() {  # row 1
    begin 6 tls12_no_shared_cipher
    osrv -tls1_2 -cipher AES256-GCM-SHA384
    ocli 0 -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
    end
}
scenario tls12_no_shared_cipher
sc_tls_version_srv13_cli12() { # row 2
    begin 7 tls_version_srv13_cli12
    osrv -tls1_3
    ocli 0 -tls1_2
    end
}
scenario tls_version_srv13_cli12
sc_tls_version_cli13_srv12() { # row 3, as OpenSSL really does it (see README)
    begin 8 tls_version_cli13_srv12
    osrv -tls1_2
    ocli 0 -tls1_3
    end
}
scenario tls_version_cli13_srv12
sc_tls_version_cli13_srv12_legacy() { # row 3: a server that ignores supported_versions
    begin 9 tls_version_cli13_srv12_legacy
    srv "${HELP[@]}" tls12stub "$PORT"
    ocli 0 -tls1_3
    end
}
scenario tls_version_cli13_srv12_legacy
sc_tls12_client_cert_required() { # row 4
    begin 10 tls12_client_cert_required
    osrv -tls1_2 -Verify 1
    ocli 0 -tls1_2
    end
}
scenario tls12_client_cert_required
sc_tls13_client_cert_required() { # row 5
    begin 11 tls13_client_cert_required
    osrv -Verify 1
    ocli_req 0
    end
}
scenario tls13_client_cert_required
sc_tls12_unknown_ca() {        # row 6
    begin 12 tls12_unknown_ca
    osrv -tls1_2
    ocli 0 -tls1_2 -CAfile "$P/other-ca.pem"
    end
}
scenario tls12_unknown_ca
sc_tls13_unknown_ca() {        # row 7
    begin 13 tls13_unknown_ca
    osrv
    ocli 0 -CAfile "$P/other-ca.pem"
    end
}
scenario tls13_unknown_ca
sc_tls12_expired_cert() {      # row 8
    begin 14 tls12_expired_cert
    osrv -tls1_2 -cert "$P/expired.pem" -key "$P/expired.key"
    ocli 0 -tls1_2
    end
}
scenario tls12_expired_cert
sc_tls12_hostname_mismatch() { # row 9: SNI and verified name other.tlsdiag.test
    begin 15 tls12_hostname_mismatch
    osrv -tls1_2
    SNI=other.tlsdiag.test ocli 0 -tls1_2
    end
}
scenario tls12_hostname_mismatch
sc_tls12_missing_intermediate() { # row 10: server sends its leaf only
    begin 16 tls12_missing_intermediate
    srv openssl s_server -accept "$PORT" -naccept 1 -ign_eof -cert "$P/server.pem" -key "$P/server.key" -tls1_2
    ocli 0 -tls1_2
    end
}
scenario tls12_missing_intermediate
sc_sni_unrecognized() {        # row 11
    begin 17 sni_unrecognized
    osrv -servername www.tlsdiag.test -servername_fatal -cert2 "$P/server.pem" -key2 "$P/server.key"
    SNI=unknown.tlsdiag.test ocli 0
    end
}
scenario sni_unrecognized
sc_alpn_mismatch() {           # row 12
    begin 18 alpn_mismatch
    gsrv --alpn h2 --alpn-fatal
    ocli 0 -alpn http/1.1
    end
}
scenario alpn_mismatch
sc_inappropriate_fallback() {  # row 13: a TLS 1.2 retry with TLS_FALLBACK_SCSV
    begin 19 inappropriate_fallback
    osrv
    ocli 0 -tls1_2 -fallback_scsv
    end
}
scenario inappropriate_fallback
sc_tls13_no_shared_group() {   # row 15
    begin 20 tls13_no_shared_group
    osrv -tls1_3 -groups P-384
    ocli 0 -groups X25519
    end
}
scenario tls13_no_shared_group
sc_server_not_tls_http() {     # row 19
    begin 21 server_not_tls_http
    srv "${HELP[@]}" http "$PORT"
    ocli 0
    end
}
scenario server_not_tls_http
sc_client_not_tls() {          # row 20: plain text to a server seen speaking TLS
    begin 22 client_not_tls
    osrv
    # First a TLS client (k=1): the capture shows this server speaks TLS,
    # which is what makes its silent close of the plain-text client (k=0)
    # a client_not_tls and not just some other protocol closing.
    ocli 1
    cli 0 5 "${HELP[@]}" plainclient "$PORT"
    end
}
scenario client_not_tls
sc_server_silent() {           # row 21: the client gives up after 2 s (timeout)
    begin 23 server_silent
    srv "${HELP[@]}" silent "$PORT"
    cli 0 2 openssl s_client -connect "127.0.0.1:$PORT" -servername "$SNI" -keylogfile "$KEYLOG"
    end
}
scenario server_silent
sc_rst_after_client_hello() {  # row 22: the server resets after reading the ClientHello
    begin 24 rst_after_client_hello
    srv "${HELP[@]}" rst "$PORT"
    ocli 0
    end
}
scenario rst_after_client_hello
sc_middlebox_rst() {           # row 22: the reset has another TTL and comes 50 ms later
    begin 25 middlebox_rst
    srv "${HELP[@]}" rst "$PORT" 250 0.05
    ocli 0
    end
}
scenario middlebox_rst
long_alpn() { # 12 protocol names of 188 bytes: a 2.5 KB ClientHello, two segments
    local i alpn=
    for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
        alpn+="proto-$i-$(printf '%0180d' 0),"
    done
    echo "${alpn%,}"
}
sc_large_client_hello_rst() {  # row 23: a 2-segment ClientHello (long ALPN list), then reset
    begin 26 large_client_hello_rst
    srv "${HELP[@]}" rst "$PORT"
    ocli 0 -alpn "$(long_alpn)"
    end
}
scenario large_client_hello_rst
sc_large_client_hello_blackhole() { # row 23: the same ClientHello into a path that drops every
    # segment over 1000 bytes (a PMTU black hole, a middlebox): the server never sees it, the
    # client gives up. The drop is in the server's INPUT chain, after tcpdump on lo saw the
    # segments: the capture is the client side of the path.
    begin 37 large_client_hello_blackhole
    iptables -I INPUT -i lo -p tcp --dport "$PORT" -m length --length 1001:65535 -j DROP
    osrv
    ocli 0 -alpn "$(long_alpn)"
    end
    iptables -D INPUT -i lo -p tcp --dport "$PORT" -m length --length 1001:65535 -j DROP
    # The client's FIN comes after bytes the server never got: neither side's
    # close completes within the capture (that is the point).
    UNENDED_OK=1
}
scenario large_client_hello_blackhole
sc_tls12_ske_signature_invalid() { # row 24: a relay flips a ServerKeyExchange signature bit
    begin 27 tls12_ske_signature_invalid
    srv "${HELP[@]}" proxy "$PORT" $((PORT + 100)) $((50000 + 10 * NUM + 5)) tamper_ske
    PORT=$((PORT + 100)) osrv -tls1_2
    ocli 0 -tls1_2
    end
}
scenario tls12_ske_signature_invalid
sc_tls12_client_cert_rejected() { # row 25: client certificate from an unknown CA
    begin 28 tls12_client_cert_rejected
    osrv -tls1_2 -Verify 1 -verify_return_error
    ocli 0 -tls1_2 -cert "$P/rogue-client.pem" -key "$P/rogue-client.key"
    end
}
scenario tls12_client_cert_rejected
sc_tls12_finished_tampered() { # row 26: a relay flips a bit of the client's Finished record
    begin 29 tls12_finished_tampered
    srv "${HELP[@]}" proxy "$PORT" $((PORT + 100)) $((50000 + 10 * NUM + 5)) tamper_fin
    PORT=$((PORT + 100)) osrv -tls1_2
    ocli 0 -tls1_2
    end
}
scenario tls12_finished_tampered
sc_malformed_client_hello() {  # row 20/28: a ClientHello shorter than it claims
    begin 30 malformed_client_hello
    osrv
    cli 0 5 "${HELP[@]}" badhello "$PORT"
    end
}
scenario malformed_client_hello
sc_gnutls_srv_no_shared_cipher() { # row 1, GnuTLS server
    begin 31 gnutls_srv_no_shared_cipher
    gsrv --priority "NORMAL:-VERS-TLS1.3:-CIPHER-ALL:+AES-256-GCM"
    ocli 0 -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    end
}
scenario gnutls_srv_no_shared_cipher
sc_gnutls_cli_unknown_ca() {   # row 7, GnuTLS client
    begin 32 gnutls_cli_unknown_ca
    osrv
    gcli 0 --x509cafile "$P/other-ca.pem"
    end
}
scenario gnutls_cli_unknown_ca
sc_tls12_no_shared_cipher_ipv6() { # row 1 over ::1
    begin 33 tls12_no_shared_cipher_ipv6
    srv openssl s_server -6 -accept "$PORT" -naccept 1 -ign_eof -cert "$P/server.pem" -key "$P/server.key" \
        -cert_chain "$P/inter.pem" -tls1_2 -cipher AES256-GCM-SHA384
    cli 0 4 openssl s_client -connect "[::1]:$PORT" -servername "$SNI" -CAfile "$P/ca.pem" \
        -verify_return_error -keylogfile "$KEYLOG" -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
    end
}
scenario tls12_no_shared_cipher_ipv6
sc_tls12_unknown_ca_sll2() {   # row 6 captured with tcpdump -i any (LINUX_SLL2)
    begin 34 tls12_unknown_ca_sll2 any
    osrv -tls1_2
    ocli 0 -tls1_2 -CAfile "$P/other-ca.pem"
    end
}
scenario tls12_unknown_ca_sll2
sc_tls13_client_cert_rejected() { # row 25 in TLS 1.3 (the server's alert is encrypted)
    begin 35 tls13_client_cert_rejected
    osrv -Verify 1 -verify_return_error
    ocli_req 0 -cert "$P/rogue-client.pem" -key "$P/rogue-client.key"
    end
}
scenario tls13_client_cert_rejected
sc_tls12_mutual_ok() {         # mutual authentication that works (CsxkrnXYGIF...)
    begin 36 tls12_mutual_ok
    osrv -tls1_2 -Verify 1 -WWW
    ocli_req 0 -tls1_2 -cert "$P/client.pem" -key "$P/client.key" -cert_chain "$P/inter.pem"
    end
}
scenario tls12_mutual_ok
# Fleet patterns (the grouped view): several server addresses behind one name, on the
# same port. Numbered 61 to leave room for the numbers other work appends.
fsrv() { # ip extra...: an OpenSSL server on ip:$PORT, waited for
    local ip=$1
    shift
    ( cd "$WORK" && exec openssl s_server -accept "$ip:$PORT" -ign_eof "$@" ) \
        >>"$WORK/$NAME.srv.out" 2>>"$WORK/$NAME.srv.err" <"$WORK/stdin.fifo" &
    FSRV_PID=$!
    PIDS+=("$FSRV_PID")
    SRV_PIDS+=("$FSRV_PID")
    local i
    for i in $(seq 1 100); do
        if ss -Hltn | grep -q " $ip:$PORT "; then return 0; fi
        sleep 0.05
    done
    log "$NAME: server on $ip:$PORT did not start"
    return 1
}
fcli() { # i ip sni extra...: the i-th OpenSSL client (from port 52000+i: every connection of
          # the scenario has its own client port), verifying the chain against the test root
    local k=$((52000 + $1 - 50000 - 10 * NUM)) ip=$2 sni=$3
    shift 3
    cli "$k" 4 openssl s_client -connect "$ip:$PORT" -servername "$sni" -CAfile "$P/ca.pem" \
        -verify_return_error -keylogfile "$KEYLOG" "$@"
}
sc_fleet() {
    begin 61 fleet
    # TLS 1.2, so that the certificates are on the wire (their fingerprints)
    local k i=0 good=(-tls1_2 -cert "$P/server.pem" -key "$P/server.key" -cert_chain "$P/inter.pem")
    local bad=(-tls1_2 -cert "$P/expired.pem" -key "$P/expired.key" -cert_chain "$P/inter.pem")
    # A: server.tlsdiag.test on 127.0.0.2-4; 127.0.0.4 serves the expired certificate
    # (one bad node behind a load balancer: other fingerprint, every handshake fails)
    fsrv 127.0.0.2 "${good[@]}"
    fsrv 127.0.0.3 "${good[@]}"
    fsrv 127.0.0.4 "${bad[@]}"
    # B: b.tlsdiag.test on 127.0.0.5-6; 127.0.0.6 is redeployed with the expired
    # certificate after 4 handshakes (failures begin at a time)
    fsrv 127.0.0.5 "${good[@]}"
    fsrv 127.0.0.6 "${good[@]}" -naccept 4
    for k in 0 1 2 3 4 5 6 7; do
        if [ "$k" = 4 ]; then
            wait "$FSRV_PID" 2>/dev/null || true
            fsrv 127.0.0.6 "${bad[@]}"
        fi
        fcli $((i++)) 127.0.0.2 server.tlsdiag.test -verify_hostname server.tlsdiag.test
        fcli $((i++)) 127.0.0.3 server.tlsdiag.test -verify_hostname server.tlsdiag.test
        fcli $((i++)) 127.0.0.4 server.tlsdiag.test -verify_hostname server.tlsdiag.test
        fcli $((i++)) 127.0.0.5 b.tlsdiag.test
        fcli $((i++)) 127.0.0.6 b.tlsdiag.test
    done
    # C: c.tlsdiag.test on 127.0.0.7 speaks TLS 1.2 at most; the client tries TLS 1.3
    # only, then falls back to TLS 1.2
    fsrv 127.0.0.7 "${good[@]}"
    fcli $((i++)) 127.0.0.7 c.tlsdiag.test -tls1_3
    fcli $((i++)) 127.0.0.7 c.tlsdiag.test -tls1_2
    end
}
scenario fleet

# ================================================================== derived files
# A derived file is remade when it or one of its sources is selected.
want_any() { local n; for n in "$@"; do want "$n" && return 0; done; return 1; }
if want_any tls12_ok_vlan tls12_ok && [ -s "$OUT/tls12_ok.pcap" ]; then
    tcprewrite --enet-vlan=add --enet-vlan-tag=100 --enet-vlan-cfi=0 --enet-vlan-pri=0 \
        --infile="$OUT/tls12_ok.pcap" --outfile="$OUT/tls12_ok_vlan.pcap"
    cp "$OUT/tls12_ok.keylog" "$OUT/tls12_ok_vlan.keylog"
    log "tls12_ok_vlan: tls12_ok with an 802.1Q tag (VLAN 100)"
fi
sc_mixed() {
    local MIX=() f
    for f in tls12_ok tls13_ok tls12_no_shared_cipher tls13_unknown_ca sni_unrecognized \
             alpn_mismatch rst_after_client_hello server_silent; do
        if [ -s "$OUT/$f.pcap" ]; then MIX+=("$OUT/$f.pcap"); fi
    done
    mergecap -F pcap -w "$OUT/mixed.pcap" "${MIX[@]}"
    cat "$OUT"/{tls12_ok,tls13_ok,tls12_no_shared_cipher,tls13_unknown_ca,sni_unrecognized,alpn_mismatch,rst_after_client_hello,server_silent}.keylog \
        > "$OUT/mixed.keylog" 2>/dev/null || true
    log "mixed: ${#MIX[@]} captures merged"
}
if want_any mixed tls12_ok tls13_ok tls12_no_shared_cipher tls13_unknown_ca sni_unrecognized \
        alpn_mismatch rst_after_client_hello server_silent; then
    sc_mixed
fi
# every capture must be whole: tshark flags segments the capture missed
if command -v tshark >/dev/null; then
    for f in "$OUT"/*.pcap; do
        case $f in *_reordered.pcap|*_retrans_diff.pcap|*_snaplen.pcap|*_midstream.pcap|*_gap.pcap) continue;; esac
        n=$(tshark -r "$f" -Y 'tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment' 2>/dev/null | wc -l)
        [ "$n" = 0 ] || log "WARNING: $(basename "$f"): $n packets next to segments the capture missed; rerun it"
    done
fi
if want_any rewrite tls12_ok tls13_ok && [ -x "$HERE/rewrite.py" ]; then
    python3 "$HERE/rewrite.py" "$OUT"
fi
log "done"
