#!/bin/bash
# Regenerate tlsdiag's Mozilla NSS captures: an independent generalisation
# test against a stack the analyzer was not written from (Debian
# libnss3-tools 3.87: NSS is Firefox's and Thunderbird's TLS stack; the
# error SSL_ERROR_HANDSHAKE_FAILURE_ALERT is one of its codes), as client
# (tstclnt) against OpenSSL 3.0 s_server and as server (selfserv) against
# OpenSSL 3.0 s_client.
#
# usage: captures/generate_nss.sh [SCENARIO...]   (as root; default: all)
#
# NSS reads its certificates and keys from a database, not from PEM files:
# the script makes one per role in the scratch dir with certutil (trust
# anchors, "CT,C,C") and pk12util (a leaf and its key, through a PKCS#12
# file made by `openssl pkcs12`, with the intermediate when the role sends
# it): srv (server.pem + inter, trusts ca.pem), cli (trusts ca.pem only),
# mutual (ca.pem, client.pem + inter), rogue (ca.pem, rogue-client.pem),
# other (trusts other-ca.pem only). NSS builds the chain it sends from its
# database, so a database without the intermediate is how a leaf-only NSS
# peer is made, and an NSS client holding the intermediate would complete a
# chain that the server did not send (Firefox caches intermediates).
#
# Every scenario runs inside a private network namespace (unshare -n,
# netns_lib.sh) whose loopback has MTU 1500 and no GSO/GRO super-segments,
# captured by tcpdump -i lo --immediate-mode 'tcp port P' into
# captures/nss_NAME.pcap (classic pcap, LINKTYPE_EN10MB). Key logs: Debian's
# NSS is built without SSLKEYLOGFILE support (libssl3.so does not contain
# the variable's name; tstclnt/selfserv write no key log), so
# captures/nss_NAME.keylog holds the OpenSSL peer's (-keylogfile) only, and
# a failed handshake whose OpenSSL side derived no keys has none. Each side's
# own account (tstclnt/selfserv -v output with NSS's error names, s_client/
# s_server output) is kept in captures/nss-logs/nss_NAME.{client,server}.txt:
# the ground truth that captures/README.md quotes.
#
# Ports, as in generate.sh: scenario N (160-179) listens on 44300+N; its k-th
# client connection leaves from 50000+10*N+k (the ephemeral range is narrowed
# to that port before each client starts). Each capture is checked to be
# whole (generate.sh's `check` helper, taken from that script) and rerun up
# to 3 times when it is not. Afterwards run tests/e2e/derive_expected.py.
#
# Requires: unshare, ip, ss, tcpdump, openssl, libnss3-tools (certutil,
# pk12util, tstclnt, selfserv), python3.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$HERE
LOGS=$HERE/nss-logs
P=$HERE/pki

NAME=generate_nss
FILTER=tcp
# shellcheck source=captures/netns_lib.sh
. "$HERE/netns_lib.sh"
netns_enter "$@"

PREFIX=nss
# shellcheck source=captures/peer_lib.sh
. "$HERE/peer_lib.sh"

log "NSS $(dpkg-query -W -f '${Version}' libnss3 2>/dev/null || echo '?'), $(openssl version)"

# ------------------------------------------------------------------ PKI
# PEM copies for the OpenSSL peers (osrv/ocli use $C)
C=$WORK/pki
mkdir -p "$C"
for f in ca other-ca inter; do cp "$P/$f.pem" "$C/"; done
for f in server client rogue-client expired; do cp "$P/$f.key" "$P/$f.pem" "$C/"; done

# NSS databases, one per role (empty password)
D=$WORK/db
nssdb() { # name: an empty database
    mkdir -p "$D/$1"
    certutil -N -d "sql:$D/$1" --empty-password
}
anchor() { # db pem nickname: a trusted root
    certutil -A -d "sql:$D/$1" -n "$3" -t CT,C,C -i "$2"
}
identity() { # db name [chain.pem]: leaf + key (+ chain) under the nickname name
    local extra=()
    [ -n "${3:-}" ] && extra=(-certfile "$3")
    openssl pkcs12 -export -in "$C/$2.pem" -inkey "$C/$2.key" "${extra[@]}" -name "$2" \
        -out "$WORK/$2.p12" -passout pass:
    pk12util -i "$WORK/$2.p12" -d "sql:$D/$1" -W '' >/dev/null
}
nssdb srv && anchor srv "$C/ca.pem" ca && identity srv server "$C/inter.pem"
nssdb cli && anchor cli "$C/ca.pem" ca
nssdb mutual && anchor mutual "$C/ca.pem" ca && identity mutual client "$C/inter.pem"
nssdb rogue && anchor rogue "$C/ca.pem" ca && identity rogue rogue-client
nssdb other && anchor other "$C/other-ca.pem" other-ca

# ------------------------------------------------------------------ NSS peers
# selfserv: serves until stopped (end() stops it); -v logs each handshake and NSS's errors
nsrv() { srv selfserv -n server -p "$PORT" -d "sql:$D/srv" -v "$@"; }
# tstclnt: connects to 127.0.0.1, SNI and the verified host name server.tlsdiag.test
# (tstclnt verifies against the -a name), trusts the test root unless -d says otherwise
ncli() { # k args...
    local k=$1
    shift
    cli "$k" 6 tstclnt -h 127.0.0.1 -p "$PORT" -a "$SNI" -v "$@"
}
ncli_req() { # k args...: sends GET /hello.txt, reads until the server closes
    local k=$1
    shift
    CLI_IN=$WORK/request.txt
    ncli "$k" "$@"
}
CLIDB=(-d "sql:$D/cli")

# selfserv logs NSS errors as numbers ("PR_Read returned error -12285"): append their
# names (PR_ErrorToName, through python's ctypes and the installed libnss3) to the logs
cat >"$WORK/nsserr.py" <<'PYEOF'
import ctypes, re, sys
nspr, nss = ctypes.CDLL("libnspr4.so"), ctypes.CDLL("libnss3.so")
ssl = ctypes.CDLL("libssl3.so")
nss.NSS_NoDB_Init(None)
ssl.SSL_OptionSetDefault(1, 0)  # any libssl3 call registers its error table
nspr.PR_ErrorToName.restype = ctypes.c_char_p
for path in sys.argv[1:]:
    codes = sorted(set(re.findall(r"error (-[0-9]+)", open(path).read())))
    with open(path, "a") as f:
        for c in codes:
            name = nspr.PR_ErrorToName(int(c))
            f.write("(generate_nss.sh: NSS error %s = %s)\n" % (c, name.decode() if name else "?"))
PYEOF
nend() { # end, then name selfserv's error numbers
    end
    python3 "$WORK/nsserr.py" "$LOGS/$SC.server.txt" "$LOGS/$SC.client.txt"
}

# ================================================================== scenarios
# Numbers 160-179 are fixed (they choose the ports); do not renumber.
# cli_ = NSS is the client (tstclnt against s_server), srv_ = NSS is the server
# (selfserv against s_client).

# --- established ----------------------------------------------------------------
sc_cli_tls12_ok() {               # row 16: NSS client, s_server -WWW
    begin 160 cli_tls12_ok
    osrv -tls1_2 -WWW
    ncli_req 0 "${CLIDB[@]}" -V tls1.2:tls1.2
    nend
}
scenario cli_tls12_ok
sc_cli_tls13_ok() {               # row 17
    begin 161 cli_tls13_ok
    osrv -WWW
    ncli_req 0 "${CLIDB[@]}"
    nend
}
scenario cli_tls13_ok
sc_srv_tls12_resumed() {          # rows 16, 18: s_client, then -sess_in (session cache)
    begin 162 srv_tls12_resumed
    nsrv -V tls1.2:tls1.2
    ocli_req 0 -tls1_2 -sess_out "$WORK/sess12"
    ocli_req 1 -tls1_2 -sess_in "$WORK/sess12"
    nend
}
scenario srv_tls12_resumed
sc_srv_tls13_resumed() {          # rows 17, 18: full, then s_client -sess_in (PSK)
    begin 163 srv_tls13_resumed
    nsrv -u
    ocli_req 0 -sess_out "$WORK/sess13"
    ocli_req 1 -sess_in "$WORK/sess13"
    nend
}
scenario srv_tls13_resumed
sc_srv_tls13_hrr_ok() {           # row 14: s_client's key share is X25519, the server takes P-256 only
    begin 164 srv_tls13_hrr_ok
    nsrv -I P256
    ocli_req 0 -groups X25519:P-256
    nend
}
scenario srv_tls13_hrr_ok

# --- server_hello ---------------------------------------------------------------
sc_srv_no_shared_cipher() {       # row 1: NSS server, ECDHE-RSA-AES256-GCM-SHA384 only
    begin 165 srv_no_shared_cipher
    nsrv -V tls1.2:tls1.2 -c :C030
    ocli 0 -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
    nend
}
scenario srv_no_shared_cipher
sc_cli_no_shared_cipher() {       # row 1: NSS client, ECDHE-RSA-AES128-GCM-SHA256 only
    begin 166 cli_no_shared_cipher
    osrv -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384
    ncli 0 "${CLIDB[@]}" -V tls1.2:tls1.2 -c :C02F
    nend
}
scenario cli_no_shared_cipher
sc_srv_version_srv13_cli12() {    # row 2: NSS server TLS 1.3 only
    begin 167 srv_version_srv13_cli12
    nsrv -V tls1.3:tls1.3
    ocli 0 -tls1_2
    nend
}
scenario srv_version_srv13_cli12
sc_srv_version_cli13_srv12() {    # row 3: NSS server TLS 1.2 only
    begin 168 srv_version_cli13_srv12
    nsrv -V tls1.2:tls1.2
    ocli 0 -tls1_3
    nend
}
scenario srv_version_cli13_srv12
sc_cli_version_mismatch() {       # rows 3 and 2: NSS client TLS 1.3 only against
    # s_server -tls1_2 (port 51690), then TLS 1.2 only against s_server -tls1_3 (51691)
    begin 169 cli_version_mismatch
    osrv -tls1_2
    ncli 0 "${CLIDB[@]}" -V tls1.3:tls1.3
    stop "${SRV_PIDS[0]}"
    osrv -tls1_3
    ncli 1 "${CLIDB[@]}" -V tls1.2:tls1.2
    nend
}
scenario cli_version_mismatch

# --- certificate ----------------------------------------------------------------
sc_srv_tls12_client_cert_required() { # row 4: selfserv -r -r (request and require)
    begin 170 srv_tls12_client_cert_required
    nsrv -V tls1.2:tls1.2 -r -r
    ocli 0 -tls1_2
    nend
}
scenario srv_tls12_client_cert_required
sc_srv_tls13_client_cert_required() { # row 5
    begin 171 srv_tls13_client_cert_required
    nsrv -r -r
    ocli_req 0
    nend
}
scenario srv_tls13_client_cert_required
sc_cli_tls12_client_cert_required() { # row 4: tstclnt without -n has no certificate
    begin 172 cli_tls12_client_cert_required
    osrv -tls1_2 -Verify 1
    ncli 0 "${CLIDB[@]}" -V tls1.2:tls1.2
    nend
}
scenario cli_tls12_client_cert_required
sc_cli_tls13_client_cert_required() { # row 5
    begin 173 cli_tls13_client_cert_required
    osrv -Verify 1
    ncli_req 0 "${CLIDB[@]}"
    nend
}
scenario cli_tls13_client_cert_required
sc_srv_client_cert_rejected() {   # row 25: s_client sends rogue-client.pem (other CA),
    # in TLS 1.2 (port 51740), then TLS 1.3 (51741: the server's alert is encrypted)
    begin 174 srv_client_cert_rejected
    nsrv -r -r
    ocli 0 -tls1_2 -cert "$C/rogue-client.pem" -key "$C/rogue-client.key"
    ocli_req 1 -cert "$C/rogue-client.pem" -key "$C/rogue-client.key"
    nend
}
scenario srv_client_cert_rejected
sc_cli_unknown_ca() {             # row 7: TLS 1.3, the NSS client trusts other-ca only
    begin 175 cli_unknown_ca
    osrv
    ncli 0 -d "sql:$D/other"
    nend
}
scenario cli_unknown_ca
sc_cli_tls12_unknown_ca() {       # row 6: the same in TLS 1.2
    begin 176 cli_tls12_unknown_ca
    osrv -tls1_2
    ncli 0 -d "sql:$D/other" -V tls1.2:tls1.2
    nend
}
scenario cli_tls12_unknown_ca
sc_cli_hostname_mismatch() {      # row 9: SNI and verified name other.tlsdiag.test
    begin 177 cli_hostname_mismatch
    osrv -tls1_2
    SNI=other.tlsdiag.test ncli 0 "${CLIDB[@]}" -V tls1.2:tls1.2
    nend
}
scenario cli_hostname_mismatch
sc_cli_expired_cert() {           # row 8: leaf valid 2020-01-01..2021-01-01; tstclnt
    # checks it asynchronously, as Firefox does (port 51780), then with -O, synchronously (51781)
    begin 178 cli_expired_cert
    NACCEPT=2 osrv -tls1_2 -cert "$C/expired.pem" -key "$C/expired.key"
    ncli 0 "${CLIDB[@]}" -V tls1.2:tls1.2
    ncli 1 "${CLIDB[@]}" -V tls1.2:tls1.2 -O
    nend
}
scenario cli_expired_cert
sc_cli_missing_intermediate() {   # row 10: s_server sends the leaf only; the NSS
    # client's database holds the root only (no cached intermediate)
    begin 179 cli_missing_intermediate
    srv openssl s_server -accept "$PORT" -naccept 1 -ign_eof -cert "$C/server.pem" \
        -key "$C/server.key" -tls1_2 -keylogfile "$WORK/$SC.srv.keylog"
    ncli 0 "${CLIDB[@]}" -V tls1.2:tls1.2
    nend
}
scenario cli_missing_intermediate
