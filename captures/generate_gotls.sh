#!/bin/bash
# Regenerate tlsdiag's Go crypto/tls captures: an independent generalisation
# test against a stack the analyzer was not written from (Debian golang-go
# 1.19), as client against OpenSSL 3.0 s_server and as server against
# OpenSSL 3.0 s_client.
#
# usage: captures/generate_gotls.sh [SCENARIO...]   (as root; default: all)
#
# The Go peer is captures/gotls/main.go (standard library only), built here
# with `go build` in the scratch dir (GOCACHE, GOPATH there; GOPROXY=off: no
# network is needed). Every scenario runs inside a private network namespace
# (unshare -n, netns_lib.sh) whose loopback has MTU 1500 and no GSO/GRO
# super-segments, captured by tcpdump -i lo --immediate-mode 'tcp port P'
# into captures/gotls_NAME.pcap (classic pcap, LINKTYPE_EN10MB), with the key
# log of both sides (Go: tls.Config.KeyLogWriter; OpenSSL: -keylogfile)
# merged into captures/gotls_NAME.keylog. Each side's own account (crypto/tls
# error strings, s_client/s_server output) is kept in
# captures/gotls-logs/gotls_NAME.{client,server}.txt: the ground truth that
# captures/README.md quotes. The PKI is captures/pki (generate.sh makes it);
# Go reads its PEM chains and PKCS#8 keys as they are, the script only copies
# them (key normalised to PKCS#8 by `openssl pkey`) into the scratch dir.
#
# Ports, as in generate.sh: scenario N (120-139) listens on 44300+N; its k-th
# client connection leaves from 50000+10*N+k (the ephemeral range is narrowed
# to that port for s_client, and the Go client binds it itself). Each capture
# is checked to be whole (generate.sh's `check` helper, taken from that
# script) and rerun up to 3 times when it is not. Afterwards run
# tests/e2e/derive_expected.py.
#
# Requires: unshare, ip, ss, tcpdump, openssl, golang-go (1.19), python3.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$HERE
LOGS=$HERE/gotls-logs
P=$HERE/pki

NAME=generate_gotls
FILTER=tcp
# shellcheck source=captures/netns_lib.sh
. "$HERE/netns_lib.sh"
netns_enter "$@"

PREFIX=gotls
# shellcheck source=captures/peer_lib.sh
. "$HERE/peer_lib.sh"

# ------------------------------------------------------------------ Go peer
mkdir -p "$WORK/gosrc"
cp "$HERE/gotls/main.go" "$WORK/gosrc/"
printf 'module gotls\n\ngo 1.19\n' >"$WORK/gosrc/go.mod"
(cd "$WORK/gosrc" && GOCACHE="$WORK/gocache" GOPATH="$WORK/gopath" GOPROXY=off GOFLAGS='' \
    CGO_ENABLED=0 go build -o "$WORK/gotls" .)
GOTLS=$WORK/gotls
log "built $GOTLS with $(go version)"

# PKI in the forms crypto/tls reads: PEM chains (leaf first) and PKCS#8 keys
C=$WORK/pki
mkdir -p "$C"
for f in ca other-ca; do cp "$P/$f.pem" "$C/"; done
for f in server client rogue-client expired; do
    openssl pkey -in "$P/$f.key" -out "$C/$f.key"
    cp "$P/$f.pem" "$C/$f.pem"
done
cat "$P/server.pem" "$P/inter.pem" >"$C/server.chain.pem"
cat "$P/expired.pem" "$P/inter.pem" >"$C/expired.chain.pem"

# Go server: leaf + intermediate, one connection unless -n says more
gsrv() { srv "$GOTLS" -mode server -addr "127.0.0.1:$PORT" -cert "$C/server.chain.pem" \
    -key "$C/server.key" -keylog "$WORK/$SC.srv.keylog" "$@"; }
# Go client: verifies server.tlsdiag.test against the test root unless told otherwise
gcli() { # k args...
    local k=$1
    shift
    cli "$k" 8 "$GOTLS" -mode client -addr "127.0.0.1:$PORT" -lport $((50000 + 10 * NUM + k)) \
        -servername "$SNI" -roots "$C/ca.pem" -keylog "$WORK/$SC.cli.keylog" "$@"
}

# ================================================================== scenarios
# Numbers 120-139 are fixed (they choose the ports); do not renumber.

# --- established ----------------------------------------------------------------
sc_cli_tls12_ok() {               # row 16: Go client, s_server -WWW
    begin 120 cli_tls12_ok
    osrv -tls1_2 -WWW
    gcli 0 -max 1.2 -request
    end
}
scenario cli_tls12_ok
sc_cli_tls13_ok() {               # rows 17, 18: a full handshake, then a PSK resumption
    begin 121 cli_tls13_ok
    NACCEPT=2 osrv -WWW
    gcli 0 -request -conns 2
    end
}
scenario cli_tls13_ok
sc_srv_tls12_ok() {               # row 16: s_client against the Go server
    begin 122 srv_tls12_ok
    gsrv -max 1.2
    ocli_req 0 -tls1_2
    end
}
scenario srv_tls12_ok
sc_srv_tls13_ok() {               # rows 17, 18: full, then s_client -sess_in (PSK)
    begin 123 srv_tls13_ok
    gsrv -n 2
    ocli_req 0 -sess_out "$WORK/sess13"
    ocli_req 1 -sess_in "$WORK/sess13"
    end
}
scenario srv_tls13_ok
sc_srv_tls13_hrr_ok() {           # row 14: key share P-384, which the Go server does not take
    begin 124 srv_tls13_hrr_ok
    # Go 1.19 takes any key share the client sent that is in its CurvePreferences
    # (even a later one), so only a share outside them draws a HelloRetryRequest
    gsrv -curves X25519,P-256
    ocli_req 0 -groups P-384:X25519
    end
}
scenario srv_tls13_hrr_ok

# --- server_hello ---------------------------------------------------------------
sc_srv_no_shared_cipher() {       # row 1: Go server
    begin 125 srv_no_shared_cipher
    gsrv -max 1.2 -ciphers TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    ocli 0 -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
    end
}
scenario srv_no_shared_cipher
sc_srv_version_srv13_cli12() {    # row 2: Go server TLS 1.3 only
    begin 127 srv_version_srv13_cli12
    gsrv -min 1.3
    ocli 0 -tls1_2
    end
}
scenario srv_version_srv13_cli12
sc_srv_version_cli13_srv12() {    # row 3: Go server TLS 1.2 at most
    begin 128 srv_version_cli13_srv12
    gsrv -max 1.2
    ocli 0 -tls1_3
    end
}
scenario srv_version_cli13_srv12
sc_cli_version_mismatch() {       # rows 3 and 2: Go client TLS 1.3 only against
    # s_server -tls1_2 (port 51290), then TLS 1.2 at most against s_server -tls1_3 (51291)
    begin 129 cli_version_mismatch
    osrv -tls1_2
    gcli 0 -min 1.3
    stop "${SRV_PIDS[0]}"
    osrv -tls1_3
    gcli 1 -max 1.2
    end
}
scenario cli_version_mismatch

# --- certificate ----------------------------------------------------------------
sc_cli_missing_intermediate() {   # row 10: s_server sends the leaf only
    begin 126 cli_missing_intermediate
    srv openssl s_server -accept "$PORT" -naccept 1 -ign_eof -cert "$C/server.pem" \
        -key "$C/server.key" -tls1_2 -keylogfile "$WORK/$SC.srv.keylog"
    gcli 0 -max 1.2
    end
}
scenario cli_missing_intermediate
sc_srv_tls12_client_cert_required() { # row 4: Go server RequireAndVerifyClientCert
    begin 131 srv_tls12_client_cert_required
    gsrv -max 1.2 -clientauth require-and-verify -roots "$C/ca.pem"
    ocli 0 -tls1_2
    end
}
scenario srv_tls12_client_cert_required
sc_srv_tls13_client_cert_required() { # row 5
    begin 132 srv_tls13_client_cert_required
    gsrv -clientauth require-and-verify -roots "$C/ca.pem"
    ocli_req 0
    end
}
scenario srv_tls13_client_cert_required
sc_cli_tls12_client_cert_required() { # row 4: Go client has no certificate
    begin 133 cli_tls12_client_cert_required
    osrv -tls1_2 -Verify 1
    gcli 0 -max 1.2
    end
}
scenario cli_tls12_client_cert_required
sc_cli_tls13_client_cert_required() { # row 5
    begin 134 cli_tls13_client_cert_required
    osrv -Verify 1
    gcli 0 -request
    end
}
scenario cli_tls13_client_cert_required
sc_srv_client_cert_rejected() {   # row 25: s_client sends rogue-client.pem (other CA),
    # in TLS 1.2 (port 51350), then TLS 1.3 (51351: the server's alert is encrypted)
    begin 135 srv_client_cert_rejected
    gsrv -n 2 -clientauth require-and-verify -roots "$C/ca.pem"
    ocli 0 -tls1_2 -cert "$C/rogue-client.pem" -key "$C/rogue-client.key"
    ocli 1 -cert "$C/rogue-client.pem" -key "$C/rogue-client.key"
    end
}
scenario srv_client_cert_rejected
sc_cli_client_cert_withheld() {   # row 4 on the wire: Go holds back a certificate whose
    # issuer is not among the CertificateRequest's CA names, and sends an empty one
    begin 136 cli_client_cert_withheld
    osrv -tls1_2 -Verify 1
    gcli 0 -max 1.2 -cert "$C/rogue-client.pem" -key "$C/rogue-client.key"
    end
}
scenario cli_client_cert_withheld
sc_cli_unknown_ca() {             # row 7: TLS 1.3, Go client trusts other-ca only
    begin 137 cli_unknown_ca
    osrv
    gcli 0 -roots "$C/other-ca.pem"
    end
}
scenario cli_unknown_ca
sc_cli_tls12_unknown_ca() {       # row 6: the same in TLS 1.2 (Go's alert in plaintext)
    begin 130 cli_tls12_unknown_ca
    osrv -tls1_2
    gcli 0 -roots "$C/other-ca.pem" -max 1.2
    end
}
scenario cli_tls12_unknown_ca
sc_cli_hostname_mismatch() {      # row 9: SNI and verified name other.tlsdiag.test
    begin 138 cli_hostname_mismatch
    osrv -tls1_2
    SNI=other.tlsdiag.test gcli 0 -max 1.2
    end
}
scenario cli_hostname_mismatch
sc_cli_expired_cert() {           # row 8: leaf valid 2020-01-01..2021-01-01
    begin 139 cli_expired_cert
    osrv -tls1_2 -cert "$C/expired.pem" -key "$C/expired.key"
    gcli 0 -max 1.2
    end
}
scenario cli_expired_cert
