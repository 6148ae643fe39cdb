#!/bin/bash
# Regenerate tlsdiag's Erlang/OTP ssl captures: an independent generalisation
# test against a stack the analyzer was not written from (Debian erlang-ssl,
# OTP 25, a TLS implementation written in Erlang: RabbitMQ, ejabberd,
# CouchDB), as client against OpenSSL 3.0 s_server and as server against
# OpenSSL 3.0 s_client.
#
# usage: captures/generate_erlssl.sh [SCENARIO...]   (as root; default: all)
#
# The Erlang peer is captures/erlssl/tlspeer.erl, run with `escript` (no
# build step). Every scenario runs inside a private network namespace
# (unshare -n, netns_lib.sh) whose loopback has MTU 1500 and no GSO/GRO
# super-segments, captured by tcpdump -i lo --immediate-mode 'tcp port P'
# into captures/erlssl_NAME.pcap (classic pcap, LINKTYPE_EN10MB), with the
# key log of both sides merged into captures/erlssl_NAME.keylog (OpenSSL:
# -keylogfile; Erlang: {keep_secrets, true} and
# ssl:connection_information(S, [keylog]), which OTP 25 only gives after a
# successful handshake, so a failed handshake's keys come from the OpenSSL
# side or nowhere). Each side's own account (ssl's results and its logged
# alerts, s_client/s_server output) is kept in
# captures/erlssl-logs/erlssl_NAME.{client,server}.txt: the ground truth that
# captures/README.md quotes. The PKI is captures/pki (generate.sh makes it);
# Erlang ssl reads its PEM files as they are; the script copies them into
# the scratch dir and makes the server's chain file (ca.pem + inter.pem as
# cacertfile: OTP builds the chain it sends from its cacertfile).
#
# Ports, as in generate.sh: scenario N (140-159) listens on 44300+N; its k-th
# client connection leaves from 50000+10*N+k (the ephemeral range is narrowed
# to that port for s_client, and the Erlang client binds it itself). Each
# capture is checked to be whole (generate.sh's `check` helper, taken from
# that script) and rerun up to 3 times when it is not. Afterwards run
# tests/e2e/derive_expected.py.
#
# Requires: unshare, ip, ss, tcpdump, openssl, escript (erlang-base,
# erlang-ssl, erlang-public-key, erlang-crypto, erlang-asn1), python3.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$HERE
LOGS=$HERE/erlssl-logs
P=$HERE/pki

NAME=generate_erlssl
FILTER=tcp
# shellcheck source=captures/netns_lib.sh
. "$HERE/netns_lib.sh"
netns_enter "$@"

PREFIX=erlssl
# shellcheck source=captures/peer_lib.sh
. "$HERE/peer_lib.sh"

# ------------------------------------------------------------------ Erlang peer
PEER=(escript "$HERE/erlssl/tlspeer.erl")
log "Erlang/OTP $(erl -noshell -eval 'io:format("~s", [erlang:system_info(otp_release)]), halt().'), ssl $(erl -noshell -eval 'application:load(ssl), {ok, V} = application:get_key(ssl, vsn), io:format("~s", [V]), halt().')"

# PKI: Erlang ssl reads the PEM files (and the PKCS#8 keys) as they are
C=$WORK/pki
mkdir -p "$C"
for f in ca other-ca inter; do cp "$P/$f.pem" "$C/"; done
for f in server client rogue-client expired; do
    cp "$P/$f.key" "$P/$f.pem" "$C/"
done
# the Erlang server's cacertfile: its chain is built from it (and client certificates verified)
cat "$P/ca.pem" "$P/inter.pem" >"$C/ca+inter.pem"

# Erlang server: leaf + the chain OTP builds from ca+inter.pem, one connection unless n= says more
esrv() { srv "${PEER[@]}" mode=server port="$PORT" certfile="$C/server.pem" \
    keyfile="$C/server.key" cacertfile="$C/ca+inter.pem" keylog="$WORK/$SC.srv.keylog" "$@"; }
# Erlang client: verifies server.tlsdiag.test against the test root unless told otherwise
ecli() { # k args...
    local k=$1
    shift
    cli "$k" 20 "${PEER[@]}" mode=client port="$PORT" lport=$((50000 + 10 * NUM + k)) \
        sni="$SNI" cacertfile="$C/ca.pem" keylog="$WORK/$SC.cli.keylog" "$@"
}

# ================================================================== scenarios
# Numbers 140-159 are fixed (they choose the ports); do not renumber.
# cli_ = Erlang is the client (against s_server), srv_ = Erlang is the server (against s_client).

# --- established ----------------------------------------------------------------
sc_cli_tls12_ok() {               # row 16: Erlang client, s_server -WWW
    begin 140 cli_tls12_ok
    osrv -tls1_2 -WWW
    ecli 0 versions=tlsv1.2 request=1
    end
}
scenario cli_tls12_ok
sc_cli_tls13_ok() {               # rows 17, 18: a full handshake, then a PSK resumption
    begin 141 cli_tls13_ok
    NACCEPT=2 osrv -WWW
    ecli 0 request=1 conns=2 tickets=1
    end
}
scenario cli_tls13_ok
sc_srv_tls12_resumed() {          # rows 16, 18: s_client against the Erlang server, then
    # -sess_in: a session-ID resumption from OTP's server session cache (port 51421)
    begin 142 srv_tls12_resumed
    esrv versions=tlsv1.2 n=2
    ocli_req 0 -tls1_2 -sess_out "$WORK/sess12"
    ocli_req 1 -tls1_2 -sess_in "$WORK/sess12"
    end
}
scenario srv_tls12_resumed
sc_srv_tls13_ok() {               # rows 17, 18: full, then s_client -sess_in (PSK)
    begin 143 srv_tls13_ok
    esrv n=2 tickets=1
    ocli_req 0 -sess_out "$WORK/sess13"
    ocli_req 1 -sess_in "$WORK/sess13"
    end
}
scenario srv_tls13_ok
sc_srv_tls13_hrr_ok() {           # row 14: s_client's key share is X25519, the server takes P-256 only
    begin 144 srv_tls13_hrr_ok
    esrv groups=secp256r1
    ocli_req 0 -groups X25519:P-256
    end
}
scenario srv_tls13_hrr_ok

# --- server_hello ---------------------------------------------------------------
sc_srv_no_shared_cipher() {       # row 1: Erlang server
    begin 145 srv_no_shared_cipher
    esrv versions=tlsv1.2 ciphers=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    ocli 0 -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
    end
}
scenario srv_no_shared_cipher
sc_cli_no_shared_cipher() {       # row 1: Erlang client
    begin 146 cli_no_shared_cipher
    osrv -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384
    ecli 0 versions=tlsv1.2 ciphers=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    end
}
scenario cli_no_shared_cipher
sc_srv_version_srv13_cli12() {    # row 2: Erlang server TLS 1.3 only
    begin 147 srv_version_srv13_cli12
    esrv versions=tlsv1.3
    ocli 0 -tls1_2
    end
}
scenario srv_version_srv13_cli12
sc_srv_version_cli13_srv12() {    # row 3: Erlang server TLS 1.2 only
    begin 148 srv_version_cli13_srv12
    esrv versions=tlsv1.2
    ocli 0 -tls1_3
    end
}
scenario srv_version_cli13_srv12
sc_cli_version_mismatch() {       # rows 3 and 2: Erlang client TLS 1.3 only against
    # s_server -tls1_2 (port 51490), then TLS 1.2 only against s_server -tls1_3 (51491)
    begin 149 cli_version_mismatch
    osrv -tls1_2
    ecli 0 versions=tlsv1.3
    stop "${SRV_PIDS[0]}"
    osrv -tls1_3
    ecli 1 versions=tlsv1.2
    end
}
scenario cli_version_mismatch

# --- certificate ----------------------------------------------------------------
sc_srv_tls12_client_cert_required() { # row 4: Erlang server verify_peer, fail_if_no_peer_cert
    begin 150 srv_tls12_client_cert_required
    esrv versions=tlsv1.2 verify=verify_peer fail_if_no_peer_cert=true
    ocli 0 -tls1_2
    end
}
scenario srv_tls12_client_cert_required
sc_srv_tls13_client_cert_required() { # row 5
    begin 151 srv_tls13_client_cert_required
    esrv verify=verify_peer fail_if_no_peer_cert=true
    ocli_req 0
    end
}
scenario srv_tls13_client_cert_required
sc_cli_tls12_client_cert_required() { # row 4: Erlang client has no certificate
    begin 152 cli_tls12_client_cert_required
    osrv -tls1_2 -Verify 1
    ecli 0 versions=tlsv1.2
    end
}
scenario cli_tls12_client_cert_required
sc_cli_tls13_client_cert_required() { # row 5
    begin 153 cli_tls13_client_cert_required
    osrv -Verify 1
    ecli 0 request=1
    end
}
scenario cli_tls13_client_cert_required
sc_srv_client_cert_rejected() {   # row 25: s_client sends rogue-client.pem (other CA),
    # in TLS 1.2 (port 51540), then TLS 1.3 (51541: the server's alert is encrypted)
    begin 154 srv_client_cert_rejected
    esrv n=2 verify=verify_peer fail_if_no_peer_cert=true
    ocli 0 -tls1_2 -cert "$C/rogue-client.pem" -key "$C/rogue-client.key"
    # s_client -ign_eof with a request: without it s_client closes right after its Finished,
    # before OTP has checked the certificate, and the Erlang server never sends its alert
    ocli_req 1 -cert "$C/rogue-client.pem" -key "$C/rogue-client.key"
    end
}
scenario srv_client_cert_rejected
sc_cli_unknown_ca() {             # row 7: TLS 1.3, Erlang client trusts other-ca only
    begin 155 cli_unknown_ca
    osrv
    ecli 0 cacertfile="$C/other-ca.pem"
    end
}
scenario cli_unknown_ca
sc_cli_tls12_unknown_ca() {       # row 6: the same in TLS 1.2
    begin 156 cli_tls12_unknown_ca
    osrv -tls1_2
    ecli 0 cacertfile="$C/other-ca.pem" versions=tlsv1.2
    end
}
scenario cli_tls12_unknown_ca
sc_cli_hostname_mismatch() {      # row 9: SNI and verified name other.tlsdiag.test
    begin 157 cli_hostname_mismatch
    osrv -tls1_2
    SNI=other.tlsdiag.test ecli 0 versions=tlsv1.2
    end
}
scenario cli_hostname_mismatch
sc_cli_expired_cert() {           # row 8: leaf valid 2020-01-01..2021-01-01
    begin 158 cli_expired_cert
    osrv -tls1_2 -cert "$C/expired.pem" -key "$C/expired.key"
    ecli 0 versions=tlsv1.2
    end
}
scenario cli_expired_cert
sc_cli_missing_intermediate() {   # row 10: s_server sends the leaf only
    begin 159 cli_missing_intermediate
    srv openssl s_server -accept "$PORT" -naccept 1 -ign_eof -cert "$C/server.pem" \
        -key "$C/server.key" -tls1_2 -keylogfile "$WORK/$SC.srv.keylog"
    ecli 0 versions=tlsv1.2
    end
}
scenario cli_missing_intermediate
