#!/bin/bash
# Regenerate tlsdiag's wolfSSL captures: an independent generalisation test
# against a stack the analyzer was not written from (Debian libwolfssl-dev
# 5.5.4, an embedded TLS stack), as client against OpenSSL 3.0 s_server and
# as server against OpenSSL 3.0 s_client.
#
# usage: captures/generate_wolfssl.sh [SCENARIO...]   (as root; default: all)
#
# The wolfSSL peer is captures/wolfssl/peer.c, compiled here with
# `cc ... -lwolfssl` into the scratch dir (install the library first:
# apt-get install libwolfssl-dev). Every scenario runs inside a private
# network namespace (unshare -n, netns_lib.sh) whose loopback has MTU 1500
# and no GSO/GRO super-segments, captured by tcpdump -i lo --immediate-mode
# 'tcp port P' into captures/wolfssl_NAME.pcap (classic pcap,
# LINKTYPE_EN10MB). The Debian build of wolfSSL has no secret callback
# (HAVE_SECRET_CALLBACK off), so the key log, captures/wolfssl_NAME.keylog,
# comes from the OpenSSL peer alone (-keylogfile). Each side's own account
# (peer.c prints wolfSSL's error code and string, the verify result and the
# last alert sent and received; s_client/s_server output) is kept in
# captures/wolfssl-logs/wolfssl_NAME.{client,server}.txt: the ground truth
# that captures/README.md quotes. The PKI is captures/pki (generate.sh makes
# it); wolfSSL reads its PEM chains and PKCS#8 keys, the script copies them
# (keys normalised to PKCS#8 PEM by `openssl pkey`) into the scratch dir.
#
# Ports, as in generate.sh: scenario N (180-199) listens on 44300+N; its k-th
# client connection leaves from 50000+10*N+k (the ephemeral range is narrowed
# to that port for s_client, and the wolfSSL client binds it itself). Each
# capture is checked to be whole (generate.sh's `check` helper) and rerun up
# to 3 times when it is not. Afterwards run tests/e2e/derive_expected.py.
#
# Requires: unshare, ip, ss, tcpdump, openssl, cc, libwolfssl-dev (5.5), python3.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$HERE
LOGS=$HERE/wolfssl-logs
P=$HERE/pki

NAME=generate_wolfssl
FILTER=tcp
# shellcheck source=captures/netns_lib.sh
. "$HERE/netns_lib.sh"
netns_enter "$@"

PREFIX=wolfssl
# shellcheck source=captures/peer_lib.sh
. "$HERE/peer_lib.sh"

# ------------------------------------------------------------------ wolfSSL peer
cc -O1 -Wall -o "$WORK/peer" "$HERE/wolfssl/peer.c" -lwolfssl
WPEER=$WORK/peer
log "built $WPEER with wolfSSL $(dpkg-query -W -f '${Version}' libwolfssl-dev 2>/dev/null || echo '?')"

# PKI in the forms wolfSSL reads: PEM chains (leaf first) and PKCS#8 PEM keys
C=$WORK/pki
mkdir -p "$C"
for f in ca other-ca; do cp "$P/$f.pem" "$C/"; done
for f in server client rogue-client expired; do
    openssl pkey -in "$P/$f.key" -out "$C/$f.key"
    cp "$P/$f.pem" "$C/$f.pem"
done
cat "$P/server.pem" "$P/inter.pem" >"$C/server.chain.pem"
cat "$P/expired.pem" "$P/inter.pem" >"$C/expired.chain.pem"

# wolfSSL server: leaf + intermediate, one connection unless -n says more
wsrv() { srv "$WPEER" -mode server -addr "127.0.0.1:$PORT" -cert "$C/server.chain.pem" \
    -key "$C/server.key" "$@"; }
# wolfSSL client: verifies server.tlsdiag.test against the test root unless told otherwise
wcli() { # k args...
    local k=$1
    shift
    cli "$k" 8 "$WPEER" -mode client -addr "127.0.0.1:$PORT" -lport $((50000 + 10 * NUM + k)) \
        -servername "$SNI" -ca "$C/ca.pem" "$@"
}

# ================================================================== scenarios
# Numbers 180-199 are fixed (they choose the ports); do not renumber.

# --- established ----------------------------------------------------------------
sc_cli_tls12_ok() {               # row 16: wolfSSL client, s_server -WWW
    begin 180 cli_tls12_ok
    osrv -tls1_2 -WWW
    wcli 0 -max 1.2 -request
    end
}
scenario cli_tls12_ok
sc_cli_tls13_ok() {               # rows 17, 18: a full handshake, then a resumption
    begin 181 cli_tls13_ok
    NACCEPT=2 osrv -WWW
    wcli 0 -request -conns 2
    end
}
scenario cli_tls13_ok
sc_srv_tls12_ok() {               # rows 16, 18: s_client, then s_client -sess_in
    begin 182 srv_tls12_ok
    wsrv -max 1.2 -n 2
    ocli_req 0 -tls1_2 -sess_out "$WORK/sess12"
    ocli_req 1 -tls1_2 -sess_in "$WORK/sess12"
    end
}
scenario srv_tls12_ok
sc_srv_tls13_ok() {               # rows 17, 18: full, then s_client -sess_in (PSK)
    begin 183 srv_tls13_ok
    wsrv -n 2
    ocli_req 0 -sess_out "$WORK/sess13"
    ocli_req 1 -sess_in "$WORK/sess13"
    end
}
scenario srv_tls13_ok
sc_tls13_hrr_ok() {               # row 14, both roles: the wolfSSL server takes P-256 only,
    # s_client's key share is X25519 (port 51840); then the wolfSSL client, whose key share
    # is P-256, against s_server -groups X25519 (51841)
    begin 184 tls13_hrr_ok
    wsrv -groups P-256
    ocli_req 0 -groups X25519:P-256
    stop "${SRV_PIDS[0]}"
    osrv -WWW -groups X25519
    wcli 1 -request
    end
}
scenario tls13_hrr_ok

# --- server_hello ---------------------------------------------------------------
sc_srv_no_shared_cipher() {       # row 1: wolfSSL server
    begin 185 srv_no_shared_cipher
    wsrv -max 1.2 -ciphers ECDHE-RSA-AES256-GCM-SHA384
    ocli 0 -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
    end
}
scenario srv_no_shared_cipher
sc_srv_no_shared_group() {        # row 15: TLS 1.3, wolfSSL server P-384 only, s_client X25519 only
    begin 186 srv_no_shared_group
    wsrv -min 1.3 -groups P-384
    ocli 0 -groups X25519
    end
}
scenario srv_no_shared_group
sc_srv_version_srv13_cli12() {    # row 2: wolfSSL server TLS 1.3 only
    begin 187 srv_version_srv13_cli12
    wsrv -min 1.3
    ocli 0 -tls1_2
    end
}
scenario srv_version_srv13_cli12
sc_srv_version_cli13_srv12() {    # row 3: wolfSSL server TLS 1.2 only
    begin 188 srv_version_cli13_srv12
    wsrv -max 1.2
    ocli 0 -tls1_3
    end
}
scenario srv_version_cli13_srv12
sc_cli_version_mismatch() {       # rows 3 and 2: wolfSSL client TLS 1.3 only against
    # s_server -tls1_2 (port 51890), then TLS 1.2 only against s_server -tls1_3 (51891)
    begin 189 cli_version_mismatch
    osrv -tls1_2
    wcli 0 -min 1.3
    stop "${SRV_PIDS[0]}"
    osrv -tls1_3
    wcli 1 -max 1.2
    end
}
scenario cli_version_mismatch

# --- certificate ----------------------------------------------------------------
sc_srv_tls12_client_cert_required() { # row 4: wolfSSL server, FAIL_IF_NO_PEER_CERT
    begin 190 srv_tls12_client_cert_required
    wsrv -max 1.2 -verify require -ca "$C/ca.pem"
    ocli 0 -tls1_2
    end
}
scenario srv_tls12_client_cert_required
sc_srv_tls13_client_cert_required() { # row 5
    begin 191 srv_tls13_client_cert_required
    wsrv -verify require -ca "$C/ca.pem"
    ocli_req 0
    end
}
scenario srv_tls13_client_cert_required
sc_cli_tls12_client_cert_required() { # row 4: wolfSSL client has no certificate
    begin 192 cli_tls12_client_cert_required
    osrv -tls1_2 -Verify 1
    wcli 0 -max 1.2
    end
}
scenario cli_tls12_client_cert_required
sc_cli_tls13_client_cert_required() { # row 5
    begin 193 cli_tls13_client_cert_required
    osrv -Verify 1
    wcli 0 -request
    end
}
scenario cli_tls13_client_cert_required
sc_srv_client_cert_rejected() {   # row 25: s_client sends rogue-client.pem (other CA),
    # in TLS 1.2 (port 51940), then TLS 1.3 (51941: the server's alert is encrypted)
    begin 194 srv_client_cert_rejected
    wsrv -n 2 -verify require -ca "$C/ca.pem"
    ocli 0 -tls1_2 -cert "$C/rogue-client.pem" -key "$C/rogue-client.key"
    ocli_req 1 -cert "$C/rogue-client.pem" -key "$C/rogue-client.key"
    end
}
scenario srv_client_cert_rejected
sc_cli_unknown_ca() {             # row 7: TLS 1.3, wolfSSL client trusts other-ca only
    begin 195 cli_unknown_ca
    osrv
    wcli 0 -ca "$C/other-ca.pem"
    end
}
scenario cli_unknown_ca
sc_cli_tls12_unknown_ca() {       # row 6: the same in TLS 1.2
    begin 196 cli_tls12_unknown_ca
    osrv -tls1_2
    wcli 0 -ca "$C/other-ca.pem" -max 1.2
    end
}
scenario cli_tls12_unknown_ca
sc_cli_hostname_mismatch() {      # row 9: SNI and verified name other.tlsdiag.test
    begin 197 cli_hostname_mismatch
    osrv -tls1_2
    SNI=other.tlsdiag.test wcli 0 -max 1.2
    end
}
scenario cli_hostname_mismatch
sc_cli_expired_cert() {           # row 8: leaf valid 2020-01-01..2021-01-01
    begin 198 cli_expired_cert
    osrv -tls1_2 -cert "$C/expired.pem" -key "$C/expired.key"
    wcli 0 -max 1.2
    end
}
scenario cli_expired_cert
sc_cli_missing_intermediate() {   # row 10: s_server sends the leaf only
    begin 199 cli_missing_intermediate
    srv openssl s_server -accept "$PORT" -naccept 1 -ign_eof -cert "$C/server.pem" \
        -key "$C/server.key" -tls1_2 -keylogfile "$WORK/$SC.srv.keylog"
    wcli 0 -max 1.2
    end
}
scenario cli_missing_intermediate

# a key log with no secret in it (OpenSSL writes its header line before the handshake
# fails) is no key log
for f in "$OUT"/wolfssl_*.keylog; do
    [ -e "$f" ] || continue
    grep -qv '^#' "$f" || rm -f "$f"
done
