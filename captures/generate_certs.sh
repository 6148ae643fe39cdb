#!/bin/bash
# Real captures for tlsdiag's certificate stage (issue 6), made the way
# captures/generate.sh makes its own: OpenSSL 3.0 s_server/s_client against
# each other inside a private network namespace (unshare -n) whose loopback
# has an Ethernet-like MTU of 1500, captured by tcpdump into
# captures/NAME.pcap (classic pcap, LINKTYPE_EN10MB); client key logs go to
# captures/NAME.keylog.
#
# usage: captures/generate_certs.sh        (as root; always makes every capture)
#
# The script makes its own PKI each run (root -> intermediate -> leaves) and
# keeps the public certificates in captures/pki-certs/ (use
# --ca-file captures/pki-certs/ca.pem with these captures). Every capture is
# remade with the PKI, so captures and certificates always belong together.
#
#   tls12_cert_not_yet_valid   leaf valid from 30 days after the capture: client 42
#   tls12_cert_self_signed     self-signed leaf: client 48
#   tls12_cert_weak_key        RSA 1024 leaf, client at auth level 2: client 42
#   tls12_cert_sha1            leaf signed with SHA-1: client 42
#   tls12_cert_chain_order     server sends leaf, root, intermediate: established
#   tls12_cert_short_lived     leaf valid from 1 minute before to 4 minutes after
#                              the capture: established (valid then, expired since:
#                              verdicts must not change with today's date)
#   tls12_dhe_ok               DHE-RSA: the ServerKeyExchange signature verifies
#   tls12_ecdsa_ok             ECDHE-ECDSA with a P-256 leaf
#   tls10_ecdhe_ok             TLS 1.0 (MD5+SHA-1 ServerKeyExchange signature)
#
# Ports: scenario N listens on 44300+N and its client leaves from 50000+10*N,
# with N from 80 up (captures/generate.sh uses 1..79). Afterwards check the
# rows of tests/e2e/expected_certs.tsv against what tshark shows.
#
# Requires: unshare, ip, ss, tcpdump, openssl, certtool (gnutls-bin), tshark.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$HERE

if [ "${TLSDIAG_GENCERTS_IN_NETNS:-}" != 1 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "generate_certs.sh: must run as root (unshare -n, tcpdump)" >&2
        exit 1
    fi
    exec unshare -n env TLSDIAG_GENCERTS_IN_NETNS=1 "$0" "$@"
fi

WORK=$(mktemp -d /tmp/tlsdiag-gencerts.XXXXXX)
BG=()
stop_bg() {
    local p
    for p in "${BG[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${BG[@]}"; do wait "$p" 2>/dev/null || true; done
    BG=()
}
finish() {
    stop_bg
    [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap finish EXIT
say() { echo "[generate_certs] $*" >&2; }

ip link set lo mtu 1500
ip link set lo up
ip link set dev lo gso_max_size 1500 2>/dev/null || true
ip link set dev lo gro_max_size 1500 2>/dev/null || true

# ------------------------------------------------------------------ PKI
P=$WORK/pki
mkdir -p "$P"
utc() { TZ=UTC date -u -d "$1" '+%Y-%m-%d %H:%M:%S'; }
make_pki() (
    cd "$P"
    quiet() { "$@" >/dev/null 2>&1; }
    key() { quiet openssl genpkey -algorithm "${2:-RSA}" ${3:+-pkeyopt "$3"} -out "$1.key"; }
    printf '%s\n' 'basicConstraints=critical,CA:true,pathlen:0' \
        'keyUsage=critical,keyCertSign,cRLSign' 'subjectKeyIdentifier=hash' \
        'authorityKeyIdentifier=keyid' > inter.ext
    printf '%s\n' 'basicConstraints=critical,CA:false' \
        'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=serverAuth' \
        'subjectAltName=DNS:server.tlsdiag.test' 'subjectKeyIdentifier=hash' \
        'authorityKeyIdentifier=keyid' > leaf.ext
    # openssl: leaf NAME DAYS [MD] (issued by the intermediate)
    leaf() {
        quiet openssl req -new -key "$1.key" -subj "/O=tlsdiag certs/CN=server.tlsdiag.test" -out "$1.csr"
        quiet openssl x509 -req -in "$1.csr" -CA inter.pem -CAkey inter.key \
            -set_serial "0x$(openssl rand -hex 8)" -days "$2" -"${3:-sha256}" -extfile leaf.ext -out "$1.pem"
    }
    # certtool: leaf with exact dates (openssl 3.0 x509 cannot set them)
    dated() { # NAME NOT_BEFORE NOT_AFTER
        cat > "$1.tmpl" <<EOF
organization = "tlsdiag certs"
cn = "server.tlsdiag.test"
dns_name = "server.tlsdiag.test"
serial = $((RANDOM * 32768 + RANDOM))
activation_date = "$2"
expiration_date = "$3"
tls_www_server
signing_key
encryption_key
EOF
        quiet certtool --generate-certificate --load-privkey "$1.key" --load-ca-certificate inter.pem \
            --load-ca-privkey inter.key --template "$1.tmpl" --outfile "$1.pem"
    }
    key ca
    quiet openssl req -new -x509 -key ca.key -subj "/O=tlsdiag certs/CN=tlsdiag Certs Root CA" -days 3650 \
        -set_serial "0x$(openssl rand -hex 8)" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem
    key inter
    quiet openssl req -new -key inter.key -subj "/O=tlsdiag certs/CN=tlsdiag Certs Intermediate CA" -out inter.csr
    quiet openssl x509 -req -in inter.csr -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" \
        -days 3000 -extfile inter.ext -out inter.pem
    key good && leaf good 2000
    key weak RSA rsa_keygen_bits:1024 && leaf weak 2000
    key sha1 && leaf sha1 2000 sha1
    key ecdsa EC ec_paramgen_curve:P-256 && leaf ecdsa 2000
    key notyet && dated notyet "$(utc '+30 days')" "$(utc '+400 days')"
    key short && dated short "$(utc '-1 minute')" "$(utc '+4 minutes')"
    key selfsigned
    quiet openssl req -new -x509 -key selfsigned.key -subj "/O=tlsdiag certs/CN=server.tlsdiag.test" \
        -days 2000 -addext "subjectAltName=DNS:server.tlsdiag.test" -out selfsigned.pem
    cat ca.pem inter.pem > root-first.pem
    rm -rf "$OUT/pki-certs"
    mkdir -p "$OUT/pki-certs"
    for c in ca inter good weak sha1 ecdsa notyet short selfsigned; do cp "$c.pem" "$OUT/pki-certs/"; done
)
say "making the PKI"
make_pki

# ------------------------------------------------------------------ plumbing
mkfifo "$WORK/stdin.fifo"
exec 7<>"$WORK/stdin.fifo"   # s_server ends on EOF of stdin: keep it open
SNI=server.tlsdiag.test

# run NUM NAME 'server args' 'client args': one connection, captured
run() {
    local num=$1 name=$2 sargs=$3 cargs=$4 port=$((44300 + $1)) cport=$((50000 + 10 * $1))
    local pcap=$OUT/$name.pcap keylog=$OUT/$name.keylog i attempt
    for attempt in 1 2 3; do
        rm -f "$pcap" "$keylog"
        tcpdump -Z root -i lo -s 0 -U --immediate-mode -w "$pcap" "tcp port $port" 2>"$WORK/$name.tcpdump" &
        BG+=($!)
        for i in $(seq 1 100); do grep -q "listening on" "$WORK/$name.tcpdump" && break; sleep 0.05; done
        # shellcheck disable=SC2086
        ( cd "$WORK" && exec openssl s_server -accept "$port" -naccept 1 -ign_eof $sargs ) \
            <"$WORK/stdin.fifo" >"$WORK/$name.srv.out" 2>"$WORK/$name.srv.err" &
        BG+=($!)
        for i in $(seq 1 100); do ss -Hltn "sport = :$port" | grep -q . && break; sleep 0.05; done
        sysctl -qw net.ipv4.ip_local_port_range="$cport $cport"
        # shellcheck disable=SC2086
        ( cd "$WORK" && printf 'GET / HTTP/1.0\r\n\r\n' | timeout 4 openssl s_client -connect "127.0.0.1:$port" \
            -servername "$SNI" -verify_hostname "$SNI" -CAfile "$P/ca.pem" -verify_return_error \
            -keylogfile "$keylog" $cargs ) >"$WORK/$name.cli.out" 2>"$WORK/$name.cli.err" || true
        sleep 0.5
        stop_bg
        [ -s "$keylog" ] || rm -f "$keylog"
        # whole: no segment missing, and both sides' FIN or a RST
        if [ "$(tshark -r "$pcap" -Y 'tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment' 2>/dev/null | wc -l)" = 0 ] &&
           [ "$(tshark -r "$pcap" -Y 'tcp.flags.fin==1 || tcp.flags.reset==1' 2>/dev/null | wc -l)" -ge 1 ]; then
            say "$name: $(tshark -r "$pcap" 2>/dev/null | wc -l) packets; client: $(grep -m1 -E 'verify error|alert|Verification' "$WORK/$name.cli.out" "$WORK/$name.cli.err" | head -1 | cut -c1-120)"
            return 0
        fi
        say "$name: capture not whole (attempt $attempt)"
    done
    say "WARNING: $name: no whole capture"
}

K=$P
run 80 tls12_cert_not_yet_valid "-tls1_2 -cert $K/notyet.pem -key $K/notyet.key -cert_chain $K/inter.pem" "-tls1_2"
run 81 tls12_cert_self_signed "-tls1_2 -cert $K/selfsigned.pem -key $K/selfsigned.key" "-tls1_2"
run 82 tls12_cert_weak_key "-tls1_2 -cipher DEFAULT@SECLEVEL=0 -cert $K/weak.pem -key $K/weak.key -cert_chain $K/inter.pem" \
    "-tls1_2 -auth_level 2"
run 83 tls12_cert_sha1 "-tls1_2 -cipher DEFAULT@SECLEVEL=0 -cert $K/sha1.pem -key $K/sha1.key -cert_chain $K/inter.pem" "-tls1_2"
run 84 tls12_cert_chain_order "-tls1_2 -cert $K/good.pem -key $K/good.key -cert_chain $K/root-first.pem" "-tls1_2"
run 85 tls12_cert_short_lived "-tls1_2 -cert $K/short.pem -key $K/short.key -cert_chain $K/inter.pem" "-tls1_2"
run 86 tls12_dhe_ok "-tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256 -cert $K/good.pem -key $K/good.key -cert_chain $K/inter.pem" \
    "-tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256"
run 87 tls12_ecdsa_ok "-tls1_2 -cert $K/ecdsa.pem -key $K/ecdsa.key -cert_chain $K/inter.pem" "-tls1_2"
run 88 tls10_ecdhe_ok "-tls1 -cipher ECDHE-RSA-AES128-SHA@SECLEVEL=0 -cert $K/good.pem -key $K/good.key -cert_chain $K/inter.pem" \
    "-tls1 -cipher ECDHE-RSA-AES128-SHA@SECLEVEL=0"
say "done"
