#!/bin/bash
# Regenerate tlsdiag's QUIC test captures with real stacks on a private
# loopback (issue 11).
#
# usage: captures/generate_udp.sh [SCENARIO...]   (as root; default: all)
#
# Every scenario runs Debian 12's ngtcp2 examples (gtlsserver / gtlsclient:
# ngtcp2 on GnuTLS) and, for the TCP fallback, OpenSSL s_server/s_client,
# inside a private network namespace (unshare -n), captured by tcpdump into
# captures/NAME.pcap (classic pcap, LINKTYPE_EN10MB). The client's key log
# (SSLKEYLOGFILE, which the ngtcp2 examples honour) goes to
# captures/NAME.keylog. iptables in the namespace drops UDP (no answer) or
# rejects it with ICMP. Each scenario's client and server output is kept in
# captures/udp-logs/NAME.{client,server}.txt: the tests read the stacks' own
# account of what happened (e.g. "CONNECTION_CLOSE ... CRYPTO_ERROR(0x128)")
# from there, and every other expected value from tshark.
#
# Ports: scenario N's server listens on UDP 44500+N (443 for the fallback
# scenarios, where the same server also speaks TLS over TCP 443).
#
# Requires: unshare, ip, iptables, tcpdump, gtlsserver/gtlsclient
# (ngtcp2-server, ngtcp2-client), openssl.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$HERE
LOGS=$HERE/udp-logs
PKI=$HERE/pki

NAME=generate_udp
FILTER='udp or icmp or icmp6 or tcp'
# shellcheck source=captures/netns_lib.sh
. "$HERE/netns_lib.sh"
netns_enter "$@"

server() { # name port args...
    local name=$1 port=$2
    shift 2
    bg gtlsserver "$@" 127.0.0.1 "$port" "$PKI/server.key" "$PKI/server.chain.pem" \
        >"$LOGS/$name.server.txt" 2>&1
    SERVER=$BG
    sleep 0.5
}

client() { # name port args... (client exit status is not an error)
    local name=$1 port=$2
    shift 2
    SSLKEYLOGFILE="$OUT/$name.keylog" timeout 20 gtlsclient --exit-on-all-streams-close \
        "$@" 127.0.0.1 "$port" https://localhost/ >"$LOGS/$name.client.txt" 2>&1 || true
}

# A whole scenario: server with $SARGS, client with $CARGS.
simple() { # name port
    local name=$1 port=$2
    log "$name"
    capture_start "$name"
    server "$name" "$port" "${SARGS[@]}"
    client "$name" "$port" "${CARGS[@]}"
    sleep 0.3
    stop "$SERVER"
    capture_stop
}

TLS13="NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL"

scenario_quic_ok() { SARGS=(); CARGS=(); simple quic_ok 44501; }
# Q3: no common cipher suite / group: the server's CONNECTION_CLOSE carries
# a crypto error (0x0100 + handshake_failure) in an Initial packet.
scenario_quic_no_shared_cipher() {
    SARGS=(--ciphers="$TLS13:+AES-256-GCM")
    CARGS=(--ciphers="$TLS13:+AES-128-GCM")
    simple quic_no_shared_cipher 44502
}
scenario_quic_no_shared_group() {
    SARGS=(--groups=-GROUP-ALL:+GROUP-SECP384R1)
    CARGS=(--groups=-GROUP-ALL:+GROUP-X25519)
    simple quic_no_shared_group 44503
}
# The server requires a client certificate and the client has none.
scenario_quic_client_cert_required() {
    SARGS=(--verify-client); CARGS=(); simple quic_client_cert_required 44504
}
# Q2: the client tries a version the server does not speak, and does not
# fall back (its only version).
scenario_quic_version_mismatch() {
    SARGS=(); CARGS=(-v 0x1a2a3a4a --other-versions=0x1a2a3a4a)
    simple quic_version_mismatch 44505
}
# Address validation: Retry, then the handshake with the token.
scenario_quic_retry_ok() { SARGS=(-V); CARGS=(); simple quic_retry_ok 44506; }
# Q1: UDP to the server is dropped; the client retransmits its Initial and
# gives up after its handshake timeout.
scenario_quic_no_response() {
    log quic_no_response
    iptables -A INPUT -p udp --dport 44507 -j DROP
    SARGS=(); CARGS=(--handshake-timeout=4s)
    capture_start quic_no_response
    server quic_no_response 44507
    client quic_no_response 44507 "${CARGS[@]}"
    stop "$SERVER"
    capture_stop
    iptables -D INPUT -p udp --dport 44507 -j DROP
}
# Q8: nothing listens on the port (the kernel answers ICMP port
# unreachable), and a firewall that rejects with administratively prohibited.
scenario_quic_port_unreachable() {
    log quic_port_unreachable
    capture_start quic_port_unreachable
    client quic_port_unreachable 44508 --handshake-timeout=2s
    capture_stop
}
scenario_quic_admin_prohibited() {
    log quic_admin_prohibited
    iptables -A INPUT -p udp --dport 44509 -j REJECT --reject-with icmp-admin-prohibited
    capture_start quic_admin_prohibited
    server quic_admin_prohibited 44509
    client quic_admin_prohibited 44509 --handshake-timeout=2s
    stop "$SERVER"
    capture_stop
    iptables -D INPUT -p udp --dport 44509 -j REJECT --reject-with icmp-admin-prohibited
}
# Q1 + the fallback: UDP 443 is dropped, the client gives up on QUIC and
# reaches the same server over TLS on TCP 443.
scenario_quic_blocked_tcp_fallback() {
    log quic_blocked_tcp_fallback
    iptables -A INPUT -p udp --dport 443 -j DROP
    capture_start quic_blocked_tcp_fallback
    server quic_blocked_tcp_fallback 443
    bg openssl s_server -quiet -accept 443 -key "$PKI/server.key" -cert "$PKI/server.pem" \
        -cert_chain "$PKI/inter.pem" -naccept 1
    TCPSERVER=$BG
    sleep 0.5
    client quic_blocked_tcp_fallback 443 --handshake-timeout=3s
    echo | timeout 5 openssl s_client -connect 127.0.0.1:443 -servername localhost \
        -keylogfile "$OUT/quic_blocked_tcp_fallback.tcp.keylog" \
        >>"$LOGS/quic_blocked_tcp_fallback.client.txt" 2>&1 || true
    stop "$SERVER"
    stop "$TCPSERVER"
    capture_stop
    cat "$OUT/quic_blocked_tcp_fallback.tcp.keylog" >>"$OUT/quic_blocked_tcp_fallback.keylog"
    rm -f "$OUT/quic_blocked_tcp_fallback.tcp.keylog"
    iptables -D INPUT -p udp --dport 443 -j DROP
}

ALL=(quic_ok quic_no_shared_cipher quic_no_shared_group quic_client_cert_required
     quic_version_mismatch quic_retry_ok quic_no_response quic_port_unreachable
     quic_admin_prohibited quic_blocked_tcp_fallback)
[ $# -gt 0 ] && ALL=("$@")
for s in "${ALL[@]}"; do
    "scenario_$s"
    [ -s "$OUT/$s.keylog" ] || rm -f "$OUT/$s.keylog"
done
log "done: ${ALL[*]}"
