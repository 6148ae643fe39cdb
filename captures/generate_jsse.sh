#!/bin/bash
# Make tlsdiag's Java JSSE captures: a TLS stack none of the other captures
# comes from, as an independent test of tlsdiag's verdicts (OpenJDK 17's JSSE
# against OpenSSL 3.0, both directions).
#
# usage: captures/generate_jsse.sh [SCENARIO...]   (as root; default: all, ~90 s)
#
# Every scenario runs captures/jsse/TlsPeer.java (JDK 17 source-file launch, no
# build step) as the client against `openssl s_server`, or as the server against
# `openssl s_client`, inside a private network namespace (unshare -n, loopback
# MTU 1500, no GSO/GRO super-segments), captured by tcpdump on lo into
# captures/jsse_NAME.pcap (classic pcap, LINKTYPE_EN10MB). JSSE cannot write a
# key log, so the OpenSSL peer writes one (s_server/s_client -keylogfile) into
# captures/jsse_NAME.keylog: with it tshark (and tlsdiag -k) read the encrypted
# records, including JSSE's own TLS 1.3 alerts. Both stacks' output (JSSE's
# exception chain, OpenSSL's error lines) is kept in
# captures/jsse-logs/jsse_NAME.{client,server}.txt: the ground truth of what each
# side thought happened.
#
# The test PKI in captures/pki (made by generate.sh) is converted to PKCS12 key
# and trust stores in the scratch folder ($WORK) for JSSE: server (leaf +
# intermediate), server-leaf (leaf only), expired (expired leaf + intermediate),
# client, rogue-client; trust stores ca and other-ca.
#
# Ports: scenario N (100-119) listens on 44300+N; its k-th client connection
# leaves from port 50000+10*N+k (the ephemeral range is narrowed to that port,
# as generate.sh does; JSSE's second connection of a resumption binds it
# explicitly). Each capture is checked to be whole (generate.sh's helpers.py
# `check`) and the scenario rerun, up to 3 times, when it is not.
# Afterwards run tests/e2e/derive_expected.py.
#
# Requires: unshare, ip, ss, tcpdump, openssl, java (OpenJDK 17), python3.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$HERE
LOGS=$HERE/jsse-logs
P=$HERE/pki
PEER=$HERE/jsse/TlsPeer.java

NAME=generate_jsse
FILTER=tcp
# shellcheck source=captures/netns_lib.sh
. "$HERE/netns_lib.sh"
netns_enter "$@"
ip link set dev lo gso_max_size 1500 2>/dev/null || true
ip link set dev lo gro_max_size 1500 2>/dev/null || true
sysctl -qw net.ipv4.tcp_timestamps=1

# generate.sh's python helpers (the whole-capture check), taken from it as is
sed -n "/^cat > \"\$WORK\/helpers.py\" <<'PYEOF'\$/,/^PYEOF\$/p" "$HERE/generate.sh" |
    sed '1d;$d' >"$WORK/helpers.py"
HELP=(python3 "$WORK/helpers.py")

# ------------------------------------------------------------------ PKCS12 stores
S=$WORK/stores
mkdir -p "$S"
p12() { # name cert key [chain]
    local chain=()
    [ -n "${4:-}" ] && chain=(-certfile "$4")
    openssl pkcs12 -export -name "$1" -in "$2" -inkey "$3" "${chain[@]}" \
        -passout pass:changeit -out "$S/$1.p12"
}
p12 server "$P/server.pem" "$P/server.key" "$P/inter.pem"
p12 server-leaf "$P/server.pem" "$P/server.key"
p12 expired "$P/expired.pem" "$P/expired.key" "$P/inter.pem"
p12 client "$P/client.pem" "$P/client.key" "$P/inter.pem"
p12 rogue-client "$P/rogue-client.pem" "$P/rogue-client.key"
for t in ca other-ca; do
    keytool -importcert -noprompt -alias "$t" -file "$P/$t.pem" -keystore "$S/trust-$t.p12" \
        -storetype PKCS12 -storepass changeit >/dev/null 2>&1
done

# The servers' standard input: open and never at its end (s_server ends the
# connection on EOF of its stdin, even with -ign_eof).
mkfifo "$WORK/stdin.fifo"
exec 7<>"$WORK/stdin.fifo"
printf 'hello from the tlsdiag test server\n' >"$WORK/hello.txt"
printf 'GET /hello.txt HTTP/1.0\r\nHost: server.tlsdiag.test\r\n\r\n' >"$WORK/request.txt"

SNI=server.tlsdiag.test
SC="" NUM="" PORT="" KEYLOG=""
begin() { # NUM NAME
    NUM=$1 SC=jsse_$2
    PORT=$((44300 + NUM))
    KEYLOG=$OUT/$SC.keylog
    rm -f "$LOGS/$SC.client.txt" "$LOGS/$SC.server.txt"
    log "$SC (port $PORT)"
    FILTER="tcp port $PORT"
    capture_start "$SC"
    SRV=""
}
cport() { # k: the next ephemeral port is 50000+10*NUM+k
    local p=$((50000 + 10 * NUM + $1))
    sysctl -qw net.ipv4.ip_local_port_range="$p $p"
}
waitport() {
    local i
    for i in $(seq 1 200); do
        ss -Hltn "sport = :$PORT" | grep -q . && return 0
        sleep 0.05
    done
    log "$SC: no server on port $PORT"
    return 1
}
# OpenSSL server (leaf + intermediate, trusts the test root, writes the key log)
osrv() { # args...
    (cd "$WORK" && exec openssl s_server -accept "$PORT" -naccept "${NACCEPT:-1}" -ign_eof \
        -cert "$P/server.pem" -key "$P/server.key" -cert_chain "$P/inter.pem" -CAfile "$P/ca.pem" \
        -keylogfile "$KEYLOG" "$@") <"$WORK/stdin.fifo" >"$LOGS/$SC.server.txt" 2>&1 &
    SRV=$!
    PIDS+=("$SRV")
    waitport
}
# JSSE server
jsrv() { # TlsPeer options...
    java "$PEER" server --port "$PORT" --keystore "$S/server.p12" "$@" \
        </dev/null >"$LOGS/$SC.server.txt" 2>&1 &
    SRV=$!
    PIDS+=("$SRV")
    waitport
}
# JSSE client: trusts the test root, verifies server.tlsdiag.test
jcli() { # TlsPeer options...
    cport 0
    local rc=0
    timeout 15 java "$PEER" client --port "$PORT" --host "$SNI" --truststore "$S/trust-ca.p12" "$@" \
        </dev/null >>"$LOGS/$SC.client.txt" 2>&1 || rc=$?
    echo "[generate_jsse] client rc=$rc" >>"$LOGS/$SC.client.txt"
}
# OpenSSL client: sends one HTTP request (-ign_eof: reads until the server closes)
ocli() { # args...
    cport 0
    local rc=0
    (cd "$WORK" && timeout 5 openssl s_client -connect "127.0.0.1:$PORT" -servername "$SNI" \
        -verify_hostname "$SNI" -CAfile "$P/ca.pem" -verify_return_error -ign_eof -brief \
        -keylogfile "$KEYLOG" "$@") <"$WORK/request.txt" >>"$LOGS/$SC.client.txt" 2>&1 || rc=$?
    echo "[generate_jsse] client rc=$rc" >>"$LOGS/$SC.client.txt"
}
end() {
    sleep 0.5
    if [ -n "$SRV" ]; then
        # the JSSE server exits by itself after its connections; s_server is killed
        local i
        for i in $(seq 1 40); do kill -0 "$SRV" 2>/dev/null || break; sleep 0.1; done
        stop "$SRV"
    fi
    capture_stop
    grep -qs '^[A-Z_]* [0-9a-f]' "$KEYLOG" || rm -f "$KEYLOG"
}

# scenario NAME: run sc_NAME, again (up to 3 times) while the capture is not whole
scenario() {
    local attempt
    for attempt in 1 2 3; do
        "sc_$1"
        "${HELP[@]}" check "$OUT/jsse_$1.pcap" && return 0
        log "jsse_$1: capture not whole (attempt $attempt), again"
    done
    log "WARNING: jsse_$1: no whole capture in 3 attempts"
}

# ================================================================== scenarios
# Numbers choose the ports: do not renumber. cli_ = JSSE is the client,
# srv_ = JSSE is the server.

# --- established
sc_cli_tls12_ok() { begin 100 cli_tls12_ok; osrv -WWW; jcli --protocols TLSv1.2; end; }
sc_cli_tls13_ok() { begin 101 cli_tls13_ok; osrv -WWW; jcli --protocols TLSv1.3; end; }
sc_srv_tls12_ok() { begin 102 srv_tls12_ok; jsrv; ocli -tls1_2; end; }
sc_srv_tls13_ok() { begin 103 srv_tls13_ok; jsrv; ocli -tls1_3; end; }
# --- row 1: no common cipher suite (TLS 1.2)
sc_srv_no_shared_cipher() {
    begin 104 srv_no_shared_cipher
    jsrv --protocols TLSv1.2 --ciphers TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    ocli -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
    end
}
sc_cli_no_shared_cipher() {
    begin 105 cli_no_shared_cipher
    osrv -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384
    jcli --protocols TLSv1.2 --ciphers TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    end
}
# --- rows 2/3: version mismatch
sc_srv13_cli12() { begin 106 srv13_cli12; jsrv --protocols TLSv1.3; ocli -tls1_2; end; }
sc_cli13_srv12() { begin 107 cli13_srv12; osrv -tls1_2; jcli --protocols TLSv1.3; end; }
sc_srv12_cli13() { begin 108 srv12_cli13; jsrv --protocols TLSv1.2; ocli -tls1_3; end; }
# --- row 14: HelloRetryRequest (JSSE sends key shares for x25519 and secp256r1 only)
sc_cli_tls13_hrr_ok() { begin 109 cli_tls13_hrr_ok; osrv -WWW -groups P-384; jcli --protocols TLSv1.3; end; }
# --- rows 4/5: client certificate required, none sent
sc_srv_tls12_client_cert_required() {
    begin 110 srv_tls12_client_cert_required
    jsrv --protocols TLSv1.2 --need-client-auth --truststore "$S/trust-ca.p12"
    ocli -tls1_2
    end
}
sc_srv_tls13_client_cert_required() {
    begin 111 srv_tls13_client_cert_required
    jsrv --protocols TLSv1.3 --need-client-auth --truststore "$S/trust-ca.p12"
    ocli -tls1_3
    end
}
sc_cli_tls12_client_cert_required() {
    begin 112 cli_tls12_client_cert_required
    osrv -tls1_2 -Verify 1 -verify_return_error
    jcli --protocols TLSv1.2
    end
}
sc_cli_tls13_client_cert_required() {
    begin 113 cli_tls13_client_cert_required
    osrv -tls1_3 -Verify 1 -verify_return_error
    jcli --protocols TLSv1.3
    end
}
# --- row 25: the JSSE server rejects a client certificate from another CA
sc_srv_client_cert_rejected() {
    begin 114 srv_client_cert_rejected
    jsrv --protocols TLSv1.2 --need-client-auth --truststore "$S/trust-ca.p12"
    ocli -tls1_2 -cert "$P/rogue-client.pem" -key "$P/rogue-client.key"
    end
}
# --- rows 6-10: the JSSE client rejects the server's certificate
sc_cli_tls13_unknown_ca() {
    begin 115 cli_tls13_unknown_ca
    osrv
    jcli --protocols TLSv1.3 --truststore "$S/trust-other-ca.p12"
    end
}
sc_cli_hostname_mismatch() {
    begin 116 cli_hostname_mismatch
    osrv -tls1_2
    SNI=other.tlsdiag.test jcli --protocols TLSv1.2
    end
}
sc_cli_expired_cert() {
    begin 117 cli_expired_cert
    osrv -tls1_2 -cert "$P/expired.pem" -key "$P/expired.key"
    jcli --protocols TLSv1.2
    end
}
sc_cli_missing_intermediate() {
    begin 118 cli_missing_intermediate
    (cd "$WORK" && exec openssl s_server -accept "$PORT" -naccept 1 -ign_eof -tls1_2 \
        -cert "$P/server.pem" -key "$P/server.key" -keylogfile "$KEYLOG") \
        <"$WORK/stdin.fifo" >"$LOGS/$SC.server.txt" 2>&1 &
    SRV=$!
    PIDS+=("$SRV")
    waitport
    jcli --protocols TLSv1.2
    end
}
# --- row 18: TLS 1.3 resumption, two connections from one SSLContext
sc_cli_tls13_resumed() {
    begin 119 cli_tls13_resumed
    NACCEPT=2 osrv -WWW
    cport 0
    jcli --protocols TLSv1.3 --connections 2 --bind "$((50000 + 10 * NUM)),$((50000 + 10 * NUM + 1))"
    end
}

ALL=(cli_tls12_ok cli_tls13_ok srv_tls12_ok srv_tls13_ok srv_no_shared_cipher
     cli_no_shared_cipher srv13_cli12 cli13_srv12 srv12_cli13 cli_tls13_hrr_ok
     srv_tls12_client_cert_required srv_tls13_client_cert_required
     cli_tls12_client_cert_required cli_tls13_client_cert_required
     srv_client_cert_rejected cli_tls13_unknown_ca cli_hostname_mismatch
     cli_expired_cert cli_missing_intermediate cli_tls13_resumed)
[ $# -gt 0 ] && ALL=("$@")
for s in "${ALL[@]}"; do
    scenario "$s"
done
log "done: ${ALL[*]}"
