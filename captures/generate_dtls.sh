#!/bin/bash
# Regenerate tlsdiag's DTLS test captures with real stacks on a private
# loopback (issue 11, FAILURE-CATALOG.md "QUIC and DTLS" Q6-Q8).
#
# usage: captures/generate_dtls.sh [SCENARIO...]   (as root; default: all)
#
# Every scenario runs OpenSSL's s_server/s_client -dtls1_2 (or -dtls1) or
# GnuTLS's gnutls-serv/gnutls-cli --udp inside a private network namespace
# (unshare -n), captured by tcpdump into captures/NAME.pcap (classic pcap,
# LINKTYPE_EN10MB). The client's key log (s_client -keylogfile, gnutls-cli's
# SSLKEYLOGFILE) goes to captures/NAME.keylog. iptables in the namespace
# drops chosen datagrams: the server's HelloVerifyRequests, the client's
# hellos that carry a cookie, everything to the server, or the server's
# datagrams above 1200 bytes (a path MTU black hole). Each scenario's client
# and server output is kept in captures/dtls-logs/NAME.{client,server}.txt:
# the tests read the stacks' own account of what happened ("tlsv1 alert
# unknown ca", "Timeout", ...) from there, and every other expected value
# from tshark's dtls.* fields.
#
# Ports: scenario N's server listens on UDP 44600+N.
#
# Requires: unshare, ip, iptables (with the u32 match), tcpdump, openssl,
# gnutls-bin.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$HERE
LOGS=$HERE/dtls-logs
P=$HERE/pki

NAME=generate_dtls
FILTER='udp or icmp'
# shellcheck source=captures/netns_lib.sh
. "$HERE/netns_lib.sh"
netns_enter "$@"
# The servers' standard input: open and empty (s_server stops at its end).
mkfifo "$WORK/stdin.fifo"
exec 7<>"$WORK/stdin.fifo"

SNI=server.tlsdiag.test
# OpenSSL DTLS server on $PORT: s_server answers a first ClientHello with a
# HelloVerifyRequest (its default cookie exchange).
osrv() { # name port args...
    local name=$1 port=$2
    shift 2
    # Not through bg(), whose commands read /dev/null.
    openssl s_server -accept "$port" -naccept 1 -cert "$P/server.pem" -key "$P/server.key" \
        -cert_chain "$P/inter.pem" -CAfile "$P/ca.pem" "$@" <"$WORK/stdin.fifo" \
        >"$LOGS/$name.server.txt" 2>&1 &
    SERVER=$!
    PIDS+=("$SERVER")
    sleep 0.5
}
# OpenSSL DTLS client: one line of data, then the end of its input; it gives
# up after SECS (a DTLS client retransmits for much longer on its own).
ocli() { # name port secs args...
    local name=$1 port=$2 secs=$3
    shift 3
    echo "hello from the tlsdiag dtls client" |
        timeout "$secs" openssl s_client -connect "127.0.0.1:$port" -servername "$SNI" \
            -verify_hostname "$SNI" -CAfile "$P/ca.pem" -verify_return_error \
            -keylogfile "$OUT/$name.keylog" "$@" >"$LOGS/$name.client.txt" 2>&1 || true
}
gsrv() { # name port args...
    local name=$1 port=$2
    shift 2
    gnutls-serv --udp -p "$port" --x509certfile "$P/server.chain.pem" \
        --x509keyfile "$P/server.key" "$@" <"$WORK/stdin.fifo" >"$LOGS/$name.server.txt" 2>&1 &
    SERVER=$!
    PIDS+=("$SERVER")
    sleep 0.5
}
gcli() { # name port secs args...
    local name=$1 port=$2 secs=$3
    shift 3
    echo "hello from the tlsdiag dtls client" |
        SSLKEYLOGFILE="$OUT/$name.keylog" timeout "$secs" gnutls-cli --udp -p "$port" \
            --sni-hostname "$SNI" --verify-hostname "$SNI" "$@" 127.0.0.1 \
            >"$LOGS/$name.client.txt" 2>&1 || true
}

# A whole OpenSSL scenario: server with $SARGS, client with $CARGS.
openssl_pair() { # name port secs
    local name=$1 port=$2 secs=$3
    log "$name"
    capture_start "$name"
    osrv "$name" "$port" "${SARGS[@]}"
    ocli "$name" "$port" "$secs" "${CARGS[@]}"
    sleep 0.3
    stop "$SERVER"
    capture_stop
}
gnutls_pair() { # name port secs
    local name=$1 port=$2 secs=$3
    log "$name"
    capture_start "$name"
    gsrv "$name" "$port" "${SARGS[@]}"
    gcli "$name" "$port" "$secs" "${CARGS[@]}"
    sleep 0.3
    stop "$SERVER"
    capture_stop
}

# Success, with the cookie exchange (HelloVerifyRequest) OpenSSL does.
scenario_dtls12_ok() { SARGS=(-dtls1_2); CARGS=(-dtls1_2); openssl_pair dtls12_ok 44601 5; }
# DTLS 1.0 (SHA-1 signatures: security level 0 on both sides).
scenario_dtls10_ok() {
    SARGS=(-dtls1 -cipher 'DEFAULT:@SECLEVEL=0'); CARGS=(-dtls1 -cipher 'DEFAULT:@SECLEVEL=0')
    openssl_pair dtls10_ok 44602 5
}
# GnuTLS on both sides (GnuTLS's own cookie exchange).
scenario_gnutls_dtls_ok() {
    SARGS=(); CARGS=(--x509cafile "$P/ca.pem"); gnutls_pair gnutls_dtls_ok 44603 5
}
# The TLS failures, carried by DTLS: no common cipher suite (server alert
# handshake_failure), the client does not trust the server's CA (client
# alert unknown_ca), the server requires a client certificate (server alert).
scenario_dtls12_no_shared_cipher() {
    SARGS=(-dtls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384)
    CARGS=(-dtls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256)
    openssl_pair dtls12_no_shared_cipher 44604 5
}
scenario_dtls12_unknown_ca() {
    SARGS=(-dtls1_2); CARGS=(-dtls1_2 -CAfile "$P/other-ca.pem")
    openssl_pair dtls12_unknown_ca 44605 5
}
scenario_dtls12_client_cert_required() {
    SARGS=(-dtls1_2 -Verify 1); CARGS=(-dtls1_2); openssl_pair dtls12_client_cert_required 44606 5
}
scenario_gnutls_dtls_unknown_ca() {
    SARGS=(); CARGS=(--x509cafile "$P/other-ca.pem"); gnutls_pair gnutls_dtls_unknown_ca 44607 5
}
# Q6: the server's HelloVerifyRequests never reach the client (dropped on
# the way back): the client keeps sending its first hello, without a cookie.
# u32: the first UDP payload byte is 22 (handshake) and byte 13, the
# handshake type, is 3.
scenario_dtls12_cookie_dropped() {
    local rule=(INPUT -p udp --sport 44608 -m u32 --u32 "0>>22&0x3C@8>>24=22 && 0>>22&0x3C@21>>24=3" -j DROP)
    iptables -A "${rule[@]}"
    SARGS=(-dtls1_2); CARGS=(-dtls1_2); openssl_pair dtls12_cookie_dropped 44608 8
    iptables -D "${rule[@]}"
}
# Q6: the client's hellos that carry the cookie never reach the server
# (payload byte 21 = handshake type 1; s_client sends no session id, so
# byte 60 is the cookie's length): the server never answers them.
scenario_dtls12_cookie_hello_dropped() {
    local rule=(INPUT -p udp --dport 44609 -m u32 --u32 "0>>22&0x3C@8>>24=22 && 0>>22&0x3C@21>>24=1 && 0>>22&0x3C@68>>24=1:255" -j DROP)
    iptables -A "${rule[@]}"
    SARGS=(-dtls1_2); CARGS=(-dtls1_2); openssl_pair dtls12_cookie_hello_dropped 44609 8
    iptables -D "${rule[@]}"
}
# Q7: nothing reaches the server: the client resends its hello (1 s, 2 s,
# 4 s) and gives up.
scenario_dtls12_no_response() {
    iptables -A INPUT -p udp --dport 44610 -j DROP
    SARGS=(-dtls1_2); CARGS=(-dtls1_2); openssl_pair dtls12_no_response 44610 8
    iptables -D INPUT -p udp --dport 44610 -j DROP
}
# Q7 with the MTU as the cause: the server sends 1400-byte datagrams (-mtu)
# and the path drops the server's datagrams above 1200 bytes; its small
# HelloVerifyRequest gets through, its certificate flight never does.
scenario_dtls12_mtu_blackhole() {
    iptables -A INPUT -p udp --sport 44611 -m length --length 1201:65535 -j DROP
    SARGS=(-dtls1_2 -mtu 1400); CARGS=(-dtls1_2); openssl_pair dtls12_mtu_blackhole 44611 8
    iptables -D INPUT -p udp --sport 44611 -m length --length 1201:65535 -j DROP
}
# Q8: nothing listens on the port: the kernel answers ICMP port unreachable.
scenario_dtls12_port_unreachable() {
    log dtls12_port_unreachable
    capture_start dtls12_port_unreachable
    ocli dtls12_port_unreachable 44612 4 -dtls1_2
    capture_stop
}

ALL=(dtls12_ok dtls10_ok gnutls_dtls_ok dtls12_no_shared_cipher dtls12_unknown_ca
     dtls12_client_cert_required gnutls_dtls_unknown_ca dtls12_cookie_dropped
     dtls12_cookie_hello_dropped dtls12_no_response dtls12_mtu_blackhole
     dtls12_port_unreachable)
[ $# -gt 0 ] && ALL=("$@")
for s in "${ALL[@]}"; do
    "scenario_$s"
    # A key log without a secret (OpenSSL writes its header line anyway) goes.
    grep -qs '^[A-Z_]* [0-9a-f]' "$OUT/$s.keylog" || rm -f "$OUT/$s.keylog"
done
log "done: ${ALL[*]}"
