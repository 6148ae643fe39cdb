#!/usr/bin/env python3
"""Derive tlsdiag's expected per-connection results from tshark, independently of tlsdiag.

usage: tests/e2e/derive_expected.py [--captures DIR] [--expected TSV] [--write] [-v] [FILE.pcap...]

For every connection of every capture (default: all of captures/*.pcap) it prints what
tshark 4.0 shows: handshake messages and alerts per side in wire order (alerts decrypted
with captures/NAME.keylog when there is one, and marked encrypted when they are not
readable without it), FIN/RST, TTLs. From those facts and the catalog's rules
(/work/shared/FAILURE-CATALOG.md) it derives the row tlsdiag must produce:

  alert       the first alert record of the connection as seen on the wire: sender,
              code when it is plaintext ("-" when encrypted), encrypted or not. TLS 1.3
              alerts after the handshake completed look like application data without
              the keys and are not counted (catalog row 17: no alert).
  termination by = the side whose end signal came first (an alert, a FIN or a RST;
              "middlebox" for a RST whose TTL / hop limit differs from the server's own
              packets), how = alert (fatal alert, or an encrypted alert before the
              handshake completed), close (close_notify or FIN), reset, or capture_end.
  outcome / failed_step
              established when both Finished messages were exchanged (read with the key
              log) and no fatal alert was sent; else failed, with the step from the
              catalog's definitions of the five steps applied to the messages seen.
  resumed     TLS 1.2: ServerHello directly followed by the server's ChangeCipherSpec (no
              Certificate); TLS 1.3: pre_shared_key (41) in the ServerHello.
  extra       version / cipher (IANA name as tshark prints it) / sni, for established
              connections.

The scenario table below says what each capture was made to show (catalog row, outcome,
failed step, diagnosis codes). Outcome and failed step are derived from tshark's facts and
compared with the table: a disagreement is printed as MISMATCH. The diagnosis codes come
from the table (they name the cause the scenario was built for).

Without --write it compares the derived rows with EXPECTED (tests/e2e/expected.tsv) and
exits 1 on any difference; with --write it rewrites EXPECTED (run it after
captures/generate.sh). -v prints the per-frame facts.
"""
import argparse, glob, os, subprocess, sys
from collections import OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

COLUMNS = ["file", "client_port", "outcome", "failed_step", "term_by", "term_how",
           "alert_sender", "alert_code", "alert_encrypted", "diagnosis", "resumed",
           "extra", "tshark"]

# Scenario number N of captures/generate.sh listens on 44300+N; its client ports are
# 50000+10*N+k. name: (catalog row, outcome, failed_step, diagnosis codes ("," = all))
SCENARIOS = OrderedDict([
    (1, ("tls12_ok", "16", "established", "-", "-")),
    (2, ("tls13_ok", "17", "established", "-", "-")),
    (3, ("tls13_hrr_ok", "14", "established", "-", "-")),
    (4, ("tls12_resumed", "18", "established", "-", "-")),
    (5, ("tls13_resumed", "18", "established", "-", "-")),
    (6, ("tls12_no_shared_cipher", "1", "failed", "server_hello", "no_shared_cipher")),
    (7, ("tls_version_srv13_cli12", "2", "failed", "server_hello", "protocol_version_mismatch")),
    (8, ("tls_version_cli13_srv12", "3", "failed", "server_hello", "protocol_version_mismatch")),
    (9, ("tls_version_cli13_srv12_legacy", "3", "failed", "server_hello", "protocol_version_mismatch")),
    (10, ("tls12_client_cert_required", "4", "failed", "certificate", "client_certificate_required")),
    (11, ("tls13_client_cert_required", "5", "failed", "certificate", "client_certificate_required")),
    (12, ("tls12_unknown_ca", "6", "failed", "certificate", "server_certificate_untrusted")),
    (13, ("tls13_unknown_ca", "7", "failed", "certificate", "server_certificate_untrusted")),
    (14, ("tls12_expired_cert", "8", "failed", "certificate", "certificate_expired")),
    (15, ("tls12_hostname_mismatch", "9", "failed", "certificate", "hostname_mismatch")),
    (16, ("tls12_missing_intermediate", "10", "failed", "certificate", "missing_intermediate")),
    (17, ("sni_unrecognized", "11", "failed", "server_hello", "unrecognized_name")),
    (18, ("alpn_mismatch", "12", "failed", "server_hello", "no_application_protocol")),
    (19, ("inappropriate_fallback", "13", "failed", "server_hello", "inappropriate_fallback")),
    (20, ("tls13_no_shared_group", "15", "failed", "server_hello", "no_shared_group")),
    (21, ("server_not_tls_http", "19", "failed", "server_hello", "server_not_tls")),
    (22, ("client_not_tls", "20", "failed", "client_hello", "client_not_tls")),
    (23, ("server_silent", "21", "failed", "server_hello", "server_no_response")),
    (24, ("rst_after_client_hello", "22", "failed", "server_hello", "reset_after_client_hello")),
    (25, ("middlebox_rst", "22", "failed", "server_hello",
          "reset_after_client_hello,middlebox_reset")),
    (26, ("large_client_hello_rst", "23", "failed", "server_hello",
          "reset_after_client_hello,large_client_hello")),
    (27, ("tls12_ske_signature_invalid", "24", "failed", "key_exchange", "key_exchange_signature_invalid")),
    (28, ("tls12_client_cert_rejected", "25", "failed", "certificate", "client_certificate_rejected")),
    (29, ("tls12_finished_tampered", "26", "failed", "finished", "finished_verification_failed")),
    (30, ("malformed_client_hello", "28", "failed", "client_hello", "alert_decode_error")),
    (31, ("gnutls_srv_no_shared_cipher", "1", "failed", "server_hello", "no_shared_cipher")),
    (32, ("gnutls_cli_unknown_ca", "7", "failed", "certificate", "server_certificate_rejected")),
    (33, ("tls12_no_shared_cipher_ipv6", "1", "failed", "server_hello", "no_shared_cipher")),
    (34, ("tls12_unknown_ca_sll2", "6", "failed", "certificate", "server_certificate_untrusted")),
    # TLS 1.3: the server's alert (48) is encrypted; no catalog code names this case yet
    (35, ("tls13_client_cert_rejected", "25", "failed", "certificate", "-")),
    (36, ("tls12_mutual_ok", "16", "established", "-", "-")),
    # A path that drops every segment over 1000 bytes: the server's TCP never gets the hello
    # (its ACKs say so) and it closes 4 s later, when generate.sh stops it.
    (37, ("large_client_hello_blackhole", "23", "failed", "server_hello",
          "server_no_response,large_client_hello")),
    # captures/generate_jsse.sh: Java JSSE (OpenJDK 17) against OpenSSL 3.0; cli_ = JSSE is
    # the client, srv_ = JSSE is the server. The codes are those the scenario was built to
    # show, whatever alert JSSE chose (see captures/README.md).
    (100, ("jsse_cli_tls12_ok", "16", "established", "-", "-")),
    (101, ("jsse_cli_tls13_ok", "17", "established", "-", "-")),
    (102, ("jsse_srv_tls12_ok", "16", "established", "-", "-")),
    (103, ("jsse_srv_tls13_ok", "17", "established", "-", "-")),
    (104, ("jsse_srv_no_shared_cipher", "1", "failed", "server_hello", "no_shared_cipher")),
    (105, ("jsse_cli_no_shared_cipher", "1", "failed", "server_hello", "no_shared_cipher")),
    (106, ("jsse_srv13_cli12", "2", "failed", "server_hello", "protocol_version_mismatch")),
    (107, ("jsse_cli13_srv12", "3", "failed", "server_hello", "protocol_version_mismatch")),
    (108, ("jsse_srv12_cli13", "3", "failed", "server_hello", "protocol_version_mismatch")),
    (109, ("jsse_cli_tls13_hrr_ok", "14", "established", "-", "-")),
    (110, ("jsse_srv_tls12_client_cert_required", "4", "failed", "certificate",
           "client_certificate_required")),
    (111, ("jsse_srv_tls13_client_cert_required", "5", "failed", "certificate",
           "client_certificate_required")),
    (112, ("jsse_cli_tls12_client_cert_required", "4", "failed", "certificate",
           "client_certificate_required")),
    (113, ("jsse_cli_tls13_client_cert_required", "5", "failed", "certificate",
           "client_certificate_required")),
    (114, ("jsse_srv_client_cert_rejected", "25", "failed", "certificate",
           "client_certificate_rejected")),
    (115, ("jsse_cli_tls13_unknown_ca", "7", "failed", "certificate", "server_certificate_rejected")),
    (116, ("jsse_cli_hostname_mismatch", "9", "failed", "certificate", "hostname_mismatch")),
    (117, ("jsse_cli_expired_cert", "8", "failed", "certificate", "certificate_expired")),
    (118, ("jsse_cli_missing_intermediate", "10", "failed", "certificate", "missing_intermediate")),
    (119, ("jsse_cli_tls13_resumed", "18", "established", "-", "-")),
    # captures/generate_gotls.sh: Go crypto/tls 1.19 against OpenSSL 3.0 (gotls_<name>.pcap)
    (120, ("gotls_cli_tls12_ok", "16", "established", "-", "-")),
    (121, ("gotls_cli_tls13_ok", "17", "established", "-", "-")),
    (122, ("gotls_srv_tls12_ok", "16", "established", "-", "-")),
    (123, ("gotls_srv_tls13_ok", "17", "established", "-", "-")),
    (124, ("gotls_srv_tls13_hrr_ok", "14", "established", "-", "-")),
    (125, ("gotls_srv_no_shared_cipher", "1", "failed", "server_hello", "no_shared_cipher")),
    (126, ("gotls_cli_missing_intermediate", "10", "failed", "certificate", "missing_intermediate")),
    (127, ("gotls_srv_version_srv13_cli12", "2", "failed", "server_hello",
           "protocol_version_mismatch")),
    (128, ("gotls_srv_version_cli13_srv12", "3", "failed", "server_hello",
           "protocol_version_mismatch")),
    # two connections: TLS 1.3 only against TLS 1.2 (row 3), then the reverse (row 2)
    (129, ("gotls_cli_version_mismatch", "3", "failed", "server_hello",
           "protocol_version_mismatch")),
    (130, ("gotls_cli_tls12_unknown_ca", "6", "failed", "certificate",
           "server_certificate_untrusted")),
    (131, ("gotls_srv_tls12_client_cert_required", "4", "failed", "certificate",
           "client_certificate_required")),
    (132, ("gotls_srv_tls13_client_cert_required", "5", "failed", "certificate",
           "client_certificate_required")),
    (133, ("gotls_cli_tls12_client_cert_required", "4", "failed", "certificate",
           "client_certificate_required")),
    (134, ("gotls_cli_tls13_client_cert_required", "5", "failed", "certificate",
           "client_certificate_required")),
    (135, ("gotls_srv_client_cert_rejected", "25", "failed", "certificate",
           "client_certificate_rejected")),
    # Go holds back a client certificate whose issuer the CertificateRequest does not name:
    # on the wire an empty Certificate, as row 4
    (136, ("gotls_cli_client_cert_withheld", "4", "failed", "certificate",
           "client_certificate_required")),
    # TLS 1.3: Go's alert (42) is encrypted; without keys row 7's rejected (likely)
    (137, ("gotls_cli_unknown_ca", "7", "failed", "certificate", "server_certificate_rejected")),
    (138, ("gotls_cli_hostname_mismatch", "9", "failed", "certificate", "hostname_mismatch")),
    (139, ("gotls_cli_expired_cert", "8", "failed", "certificate", "certificate_expired")),
    # captures/generate_erlssl.sh: Erlang/OTP 25 ssl against OpenSSL 3.0 (erlssl_<name>.pcap);
    # cli_ = Erlang is the client, srv_ = Erlang is the server. The codes are those the
    # scenario was built to show, whatever alert Erlang chose (see captures/README.md).
    (140, ("erlssl_cli_tls12_ok", "16", "established", "-", "-")),
    (141, ("erlssl_cli_tls13_ok", "17", "established", "-", "-")),
    # two connections, the 2nd (51421) a session-ID resumption
    (142, ("erlssl_srv_tls12_resumed", "18", "established", "-", "-")),
    (143, ("erlssl_srv_tls13_ok", "17", "established", "-", "-")),
    (144, ("erlssl_srv_tls13_hrr_ok", "14", "established", "-", "-")),
    # the Erlang server refuses with insufficient_security (71), not handshake_failure (40)
    (145, ("erlssl_srv_no_shared_cipher", "1", "failed", "server_hello", "no_shared_cipher")),
    (146, ("erlssl_cli_no_shared_cipher", "1", "failed", "server_hello", "no_shared_cipher")),
    (147, ("erlssl_srv_version_srv13_cli12", "2", "failed", "server_hello",
           "protocol_version_mismatch")),
    (148, ("erlssl_srv_version_cli13_srv12", "3", "failed", "server_hello",
           "protocol_version_mismatch")),
    # two connections: TLS 1.3 only against TLS 1.2 (row 3), then the reverse (row 2)
    (149, ("erlssl_cli_version_mismatch", "3", "failed", "server_hello",
           "protocol_version_mismatch")),
    (150, ("erlssl_srv_tls12_client_cert_required", "4", "failed", "certificate",
           "client_certificate_required")),
    (151, ("erlssl_srv_tls13_client_cert_required", "5", "failed", "certificate",
           "client_certificate_required")),
    (152, ("erlssl_cli_tls12_client_cert_required", "4", "failed", "certificate",
           "client_certificate_required")),
    (153, ("erlssl_cli_tls13_client_cert_required", "5", "failed", "certificate",
           "client_certificate_required")),
    (154, ("erlssl_srv_client_cert_rejected", "25", "failed", "certificate",
           "client_certificate_rejected")),
    # TLS 1.3: the Erlang client's alert (48) is encrypted (handshake keys, no CCS before it);
    # without keys row 7's rejected (likely)
    (155, ("erlssl_cli_unknown_ca", "7", "failed", "certificate", "server_certificate_rejected")),
    (156, ("erlssl_cli_tls12_unknown_ca", "6", "failed", "certificate",
           "server_certificate_untrusted")),
    # the Erlang client sends handshake_failure (40) for a host name mismatch
    (157, ("erlssl_cli_hostname_mismatch", "9", "failed", "certificate", "hostname_mismatch")),
    (158, ("erlssl_cli_expired_cert", "8", "failed", "certificate", "certificate_expired")),
    (159, ("erlssl_cli_missing_intermediate", "10", "failed", "certificate", "missing_intermediate")),
    # captures/generate_nss.sh: Mozilla NSS 3.87 (tstclnt / selfserv) against OpenSSL 3.0
    # (nss_<name>.pcap); cli_ = NSS is the client, srv_ = NSS is the server. The key logs
    # are OpenSSL's only (Debian's NSS has no SSLKEYLOGFILE). The NSS client checks the
    # server's certificate asynchronously (as Firefox does): in TLS 1.2 it sends its whole
    # CKE/CCS/Finished flight first, and its alert is encrypted, before or after the
    # server's Finished (a race). The codes are those the scenario was built to show.
    (160, ("nss_cli_tls12_ok", "16", "established", "-", "-")),
    (161, ("nss_cli_tls13_ok", "17", "established", "-", "-")),
    # two connections, the 2nd (51621) a session-ID resumption from selfserv's cache
    (162, ("nss_srv_tls12_resumed", "18", "established", "-", "-")),
    # two connections, the 2nd (51631) a PSK resumption
    (163, ("nss_srv_tls13_resumed", "18", "established", "-", "-")),
    (164, ("nss_srv_tls13_hrr_ok", "14", "established", "-", "-")),
    (165, ("nss_srv_no_shared_cipher", "1", "failed", "server_hello", "no_shared_cipher")),
    (166, ("nss_cli_no_shared_cipher", "1", "failed", "server_hello", "no_shared_cipher")),
    (167, ("nss_srv_version_srv13_cli12", "2", "failed", "server_hello",
           "protocol_version_mismatch")),
    (168, ("nss_srv_version_cli13_srv12", "3", "failed", "server_hello",
           "protocol_version_mismatch")),
    # two connections: TLS 1.3 only against TLS 1.2 (row 3), then the reverse (row 2)
    (169, ("nss_cli_version_mismatch", "3", "failed", "server_hello",
           "protocol_version_mismatch")),
    # the NSS server answers the empty Certificate with bad_certificate (42)
    (170, ("nss_srv_tls12_client_cert_required", "4", "failed", "certificate",
           "client_certificate_required")),
    (171, ("nss_srv_tls13_client_cert_required", "5", "failed", "certificate",
           "client_certificate_required")),
    (172, ("nss_cli_tls12_client_cert_required", "4", "failed", "certificate",
           "client_certificate_required")),
    (173, ("nss_cli_tls13_client_cert_required", "5", "failed", "certificate",
           "client_certificate_required")),
    # TLS 1.2 (51740, plaintext 48) and TLS 1.3 (51741, encrypted 48)
    (174, ("nss_srv_client_cert_rejected", "25", "failed", "certificate",
           "client_certificate_rejected")),
    # TLS 1.3: the NSS client's alert (48) is encrypted; without keys row 7's rejected (likely)
    (175, ("nss_cli_unknown_ca", "7", "failed", "certificate", "server_certificate_rejected")),
    # TLS 1.2, but the alert (48) is encrypted too (sent after the client's own CCS):
    # without keys, as row 7, rejected (likely)
    (176, ("nss_cli_tls12_unknown_ca", "6", "failed", "certificate",
           "server_certificate_rejected")),
    # the NSS client sends bad_certificate (42), encrypted
    (177, ("nss_cli_hostname_mismatch", "9", "failed", "certificate", "hostname_mismatch")),
    # two connections: tstclnt's default asynchronous check (51780: CKE/CCS/Finished, then
    # an encrypted 45), then -O, synchronous (51781: a plaintext 45 before any CKE)
    (178, ("nss_cli_expired_cert", "8", "failed", "certificate", "certificate_expired")),
    (179, ("nss_cli_missing_intermediate", "10", "failed", "certificate", "missing_intermediate")),
    # captures/generate_wolfssl.sh: wolfSSL 5.5 (Debian libwolfssl-dev) against OpenSSL 3.0
    # (wolfssl_<name>.pcap); cli_ = wolfSSL is the client, srv_ = wolfSSL is the server. The
    # codes are those the scenario was built to show, whatever wolfSSL sent (captures/README.md).
    (180, ("wolfssl_cli_tls12_ok", "16", "established", "-", "-")),
    # two connections, the 2nd (51811) resumed
    (181, ("wolfssl_cli_tls13_ok", "17", "established", "-", "-")),
    # two connections, the 2nd (51821) a TLS 1.2 resumption
    (182, ("wolfssl_srv_tls12_ok", "16", "established", "-", "-")),
    # two connections, the 2nd (51831) a PSK resumption
    (183, ("wolfssl_srv_tls13_ok", "17", "established", "-", "-")),
    # two connections: the wolfSSL server sends the HelloRetryRequest (51840), then the
    # wolfSSL client gets one from s_server (51841)
    (184, ("wolfssl_tls13_hrr_ok", "14", "established", "-", "-")),
    (185, ("wolfssl_srv_no_shared_cipher", "1", "failed", "server_hello", "no_shared_cipher")),
    # TLS 1.3, no common group: the wolfSSL server sends a HelloRetryRequest with no
    # key_share (it changes nothing), the OpenSSL client aborts with illegal_parameter (47)
    (186, ("wolfssl_srv_no_shared_group", "15", "failed", "server_hello", "no_shared_group")),
    (187, ("wolfssl_srv_version_srv13_cli12", "2", "failed", "server_hello",
           "protocol_version_mismatch")),
    # the TLS 1.2-only wolfSSL server answers a TLS 1.3-only ClientHello with
    # handshake_failure (40), not protocol_version (70), as GnuTLS does (row 3)
    (188, ("wolfssl_srv_version_cli13_srv12", "3", "failed", "server_hello",
           "protocol_version_mismatch")),
    # two connections: TLS 1.3 only against TLS 1.2 (row 3), then the reverse (row 2)
    (189, ("wolfssl_cli_version_mismatch", "3", "failed", "server_hello",
           "protocol_version_mismatch")),
    # the wolfSSL server sends NO alert in TLS 1.2 when the client's Certificate is empty:
    # it closes (FIN) after the client's CKE/CCS/Finished flight
    (190, ("wolfssl_srv_tls12_client_cert_required", "4", "failed", "certificate",
           "client_certificate_required")),
    (191, ("wolfssl_srv_tls13_client_cert_required", "5", "failed", "certificate",
           "client_certificate_required")),
    (192, ("wolfssl_cli_tls12_client_cert_required", "4", "failed", "certificate",
           "client_certificate_required")),
    (193, ("wolfssl_cli_tls13_client_cert_required", "5", "failed", "certificate",
           "client_certificate_required")),
    # two connections: TLS 1.2 (51940), then TLS 1.3 (51941, the server's alert encrypted)
    (194, ("wolfssl_srv_client_cert_rejected", "25", "failed", "certificate",
           "client_certificate_rejected")),
    # TLS 1.3: the wolfSSL client's alert (48) is encrypted (handshake keys, no CCS: wolfSSL
    # has no middlebox compatibility mode); without keys row 7's rejected (likely)
    (195, ("wolfssl_cli_unknown_ca", "7", "failed", "certificate", "server_certificate_rejected")),
    (196, ("wolfssl_cli_tls12_unknown_ca", "6", "failed", "certificate",
           "server_certificate_untrusted")),
    (197, ("wolfssl_cli_hostname_mismatch", "9", "failed", "certificate", "hostname_mismatch")),
    (198, ("wolfssl_cli_expired_cert", "8", "failed", "certificate", "certificate_expired")),
    (199, ("wolfssl_cli_missing_intermediate", "10", "failed", "certificate", "missing_intermediate")),
])
# Files that are copies / rewrites: name -> (source scenario number, override or None).
# override: (row, outcome, failed_step, diagnosis, assert_tcp_end) for the rewritten ones.
DERIVED = {
    "tls12_ok_vlan": (1, None),
    "tls12_ok_reordered": (1, None),
    "tls12_ok_retrans_diff": (1, None),
    "tls13_ok_snaplen": (2, ("27", "incomplete", "*", "capture_incomplete", False)),
    "tls12_midstream": (1, ("27", "incomplete", "*", "capture_incomplete", False)),
    "tls12_gap": (1, ("30", "incomplete", "*", "packets_missing", False)),
}

HS = {0: "HR", 1: "CH", 2: "SH", 4: "NST", 8: "EE", 11: "Cert", 12: "SKE", 13: "CR", 14: "SHD",
      15: "CV", 16: "CKE", 20: "Fin", 24: "KU", 254: "MH"}
CERT_ALERTS = {41, 42, 43, 44, 45, 46, 48, 116}

FIELDS = ["frame.number", "frame.time_epoch", "tcp.srcport", "tcp.dstport", "tcp.flags.syn",
          "tcp.flags.ack", "tcp.flags.fin", "tcp.flags.reset", "tcp.len", "ip.ttl", "ipv6.hlim",
          "tls.record.content_type", "tls.record.opaque_type", "tls.handshake.type",
          "tls.alert_message.level", "tls.alert_message.desc",
          "tls.handshake.extensions_server_name", "tls.handshake.ciphersuite",
          "tls.handshake.version", "tls.handshake.extensions.supported_version",
          "tls.handshake.extension.type", "tls.handshake.certificate_length", "tcp.payload",
          "tcp.seq", "tls.handshake.random"]
# RFC 8446 4.1.3: a ServerHello with this random is a HelloRetryRequest
HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"

_names = {}

def value_names(field):
    """tshark's own value strings (tshark -G values), e.g. cipher suite numbers to names."""
    if not _names:
        out = subprocess.run(["tshark", "-G", "values"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            p = line.split("\t")
            if len(p) == 4 and p[0] == "V":
                try:
                    _names.setdefault(p[1], {})[int(p[2], 0)] = p[3]
                except ValueError:
                    pass
    return _names.get(field, {})

def tshark(path, keylog, server_ports):
    cmd = ["tshark", "-n", "-r", path, "-o", "tcp.reassemble_out_of_order:TRUE",
           "-o", "tcp.desegment_tcp_streams:TRUE", "-o", "tls.desegment_ssl_records:TRUE"]
    for p in server_ports:
        cmd += ["-d", "tcp.port==%d,tls" % p]
    if keylog:
        cmd += ["-o", "tls.keylog_file:" + keylog]
    cmd += ["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        v = line.split("\t")
        v += [""] * (len(FIELDS) - len(v))
        rows.append(dict(zip(FIELDS, v)))
    return rows

def ints(s):
    out = []
    for x in s.split(","):
        x = x.strip()
        if x:
            out.append(int(x, 0))
    return out

def server_ports_of(path):
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-e", "tcp.srcport", "-e", "tcp.dstport",
           "-e", "tcp.flags.syn", "-e", "tcp.flags.ack"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    synack, ports = set(), set()
    for line in out.splitlines():
        s, d, syn, ack = (line.split("\t") + ["", "", "", ""])[:4]
        if not s:
            continue
        ports.add((int(s), int(d)))
        if syn in ("1", "True") and ack in ("1", "True"):
            synack.add(int(s))
    if synack:
        return synack
    return {min(a, b) for a, b in ports}          # no handshake seen: the lower port

def flag(v):
    return v in ("1", "True")

class Conn:
    def __init__(self, cport, sport):
        self.cport, self.sport = cport, sport
        self.frames = []        # (frame number, side, plain row, keyed row)

def connections(path, keylog):
    sports = server_ports_of(path)
    plain = tshark(path, None, sports)
    keyed = tshark(path, keylog, sports) if keylog else plain
    conns = OrderedDict()
    for a, b in zip(plain, keyed):
        if not a["tcp.srcport"]:
            continue
        s, d = int(a["tcp.srcport"]), int(a["tcp.dstport"])
        if s in sports:
            side, cport, sport = "s", d, s
        else:
            side, cport, sport = "c", s, d
        c = conns.setdefault(cport, Conn(cport, sport))
        c.frames.append((int(a["frame.number"]), side, a, b))
    return conns

def facts(conn):
    """Wire-order events of one connection, from the two tshark passes."""
    ev = []           # (side, kind, detail)
    f = {"ch": False, "sh": False, "tls_version": None, "cipher": None, "sni": None,
         "fin": {"c": False, "s": False}, "ccs": {"c": False, "s": False},
         "fin_msg": {"c": False, "s": False}, "cert_req": False, "empty_client_cert": False,
         "server_cert": False, "ske": False, "resumed": False, "psk": False,
         "server_ttls": set(), "alerts": [], "client_data": False, "server_data": False,
         "client_tls": None, "server_tls": None}
    for num, side, a, k in conn.frames:
        ttl = a["ip.ttl"] or a["ipv6.hlim"]
        if side == "s" and ttl and not flag(a["tcp.flags.reset"]):
            f["server_ttls"].add(int(ttl.split(",")[0]))
        payload_len = int(a["tcp.len"] or 0)
        if payload_len:
            f["client_data" if side == "c" else "server_data"] = True
        ctypes_k = ints(k["tls.record.content_type"])
        ctypes_p = ints(a["tls.record.content_type"])
        opaque_p = ints(a["tls.record.opaque_type"])
        key = "client_tls" if side == "c" else "server_tls"
        if payload_len and a["tcp.seq"] == "1":
            pl = bytes.fromhex(a["tcp.payload"].replace(":", "")) if a["tcp.payload"] else b""
            # a TLS record starts with a known content type and major version 3
            f[key] = len(pl) >= 3 and pl[0] in (20, 21, 22, 23) and pl[1] == 3
        hs = ints(k["tls.handshake.type"])
        # a ChangeCipherSpec goes after the handshake messages of the records before it
        # (one message per record, as OpenSSL and GnuTLS write them)
        ccs_at = None
        if 20 in ctypes_k:
            ccs_at = ctypes_k[:ctypes_k.index(20)].count(22)
        for i, t in enumerate(hs):
            if i == ccs_at:
                ev.append((side, "ccs-mark", ""))
            ev.append((side, "hs", HS.get(t, str(t))))
            if t == 1:
                f["ch"] = True
                if not f["sni"] and k["tls.handshake.extensions_server_name"]:
                    f["sni"] = k["tls.handshake.extensions_server_name"].split(",")[0]
            randoms = k["tls.handshake.random"].split(",")   # one per hello in the frame
            nth_sh = hs[:i + 1].count(2)
            if t == 2 and side == "s" and 0 < nth_sh <= len(randoms) and \
                    randoms[nth_sh - 1] == HRR_RANDOM:
                # a HelloRetryRequest agrees on nothing yet (the wolfSSL server sends one
                # that names no group, and the client aborts after it)
                ev[-1] = (side, "hs", "HRR")
                f["hrr"] = True
            elif t == 2 and side == "s":
                f["sh"] = True
                sv = ints(k["tls.handshake.extensions.supported_version"])
                ver = sv[0] if sv else ints(k["tls.handshake.version"])[-1]
                f["tls_version"] = {0x0304: "TLS 1.3", 0x0303: "TLS 1.2", 0x0302: "TLS 1.1",
                                    0x0301: "TLS 1.0"}.get(ver, hex(ver))
                cs = ints(k["tls.handshake.ciphersuite"])
                if cs:
                    f["cipher"] = value_names("tls.handshake.ciphersuite").get(cs[-1], hex(cs[-1]))
                if 41 in ints(k["tls.handshake.extension.type"]):
                    f["psk"] = True
            if t == 11 and side == "s":
                f["server_cert"] = True
            if t == 12:
                f["ske"] = True
            if t == 13:
                f["cert_req"] = True
            if t == 11 and side == "c":
                lens = ints(k["tls.handshake.certificate_length"])
                if f["cert_req"] and not lens:
                    f["empty_client_cert"] = True
            if t == 20:
                f["fin_msg"][side] = True
        if 20 in ctypes_p or (20 in ctypes_k and not opaque_p):
            if not f["ccs"][side] and f["sh"] and not f["server_cert"] and side == "s" \
                    and f["tls_version"] == "TLS 1.2":
                f["resumed"] = True
            f["ccs"][side] = True
            marks = [i for i, e in enumerate(ev) if e[1] == "ccs-mark"]
            if marks:
                ev[marks[0]] = (side, "ccs", "")
            else:
                ev.append((side, "ccs", ""))
        ev[:] = [e for e in ev if e[1] != "ccs-mark"]
        # alerts: decrypted (keyed pass) vs readable without keys (plain pass)
        lv_k, ds_k = ints(k["tls.alert_message.level"]), ints(k["tls.alert_message.desc"])
        lv_p, ds_p = ints(a["tls.alert_message.level"]), ints(a["tls.alert_message.desc"])
        n_alert_records_plain = ctypes_p.count(21)
        for i, desc in enumerate(ds_k):
            level = lv_k[i] if i < len(lv_k) else None
            plaintext = desc in ds_p
            f["alerts"].append({"side": side, "level": level, "code": desc,
                                "encrypted": not plaintext, "frame": num,
                                "established": f["fin_msg"]["c"] and f["fin_msg"]["s"],
                                "tls13": f["tls_version"] == "TLS 1.3"})
            ev.append((side, "alert", len(f["alerts"]) - 1))
        # TLS 1.2 encrypted alert records that the keyed pass could not read either
        if n_alert_records_plain > len(lv_p) and not ds_k:
            f["alerts"].append({"side": side, "level": None, "code": None, "encrypted": True,
                                "frame": num, "established": False, "tls13": False})
            ev.append((side, "alert", len(f["alerts"]) - 1))
        if flag(a["tcp.flags.fin"]):
            ev.append((side, "FIN", ""))
        if flag(a["tcp.flags.reset"]):
            ev.append((side, "RST", "ttl=%s" % ttl))
    sh = [i for i, e in enumerate(ev) if e[0] == "s" and e[1] == "hs" and e[2] == "SH"]
    if len(sh) == 2:                     # the first one was a HelloRetryRequest
        ev[sh[0]] = ("s", "hs", "HRR")
        f["hrr"] = True
    f["events"] = ev
    return f

def alert_text(x):
    if x["code"] is None:
        return "Alert:?e"
    return "Alert:%s%d%s" % ({2: "F", 1: "W"}.get(x["level"], "?"), x["code"],
                             "e" if x["encrypted"] else "")

def describe(conn, f):
    """The compact 'tshark' column: what tshark showed, in wire order."""
    out, last = [], None
    for side, kind, detail in f["events"]:
        if kind == "alert":
            tok = alert_text(f["alerts"][detail])
        else:
            tok = {"hs": detail, "ccs": "CCS"}.get(kind, kind)
        if kind == "RST" and detail:
            tok += "(" + detail + ")"
        if side == last:
            out[-1] += "," + tok
        else:
            out.append(side + ":" + tok)
            last = side
    if not out:
        return "no TLS"
    s = " ".join(out)
    if f["client_tls"] is False:
        s = "c:not-TLS " + s
    if f["server_tls"] is False:
        s += " s:not-TLS"
    return s

def hidden(x):
    """A TLS 1.3 close_notify / warning after both Finished: application data to the eye."""
    return x["tls13"] and x["established"] and x["level"] != 2

def derive(conn, f):
    """The row tlsdiag must produce, from the facts and the catalog's rules."""
    fatal = [x for x in f["alerts"] if x["level"] == 2 or (x["encrypted"] and not x["established"])]
    established = f["fin_msg"]["c"] and f["fin_msg"]["s"] and not fatal
    # the alert tlsdiag must report: the first one visible on the wire as an alert
    visible = [x for x in f["alerts"] if not hidden(x)]
    al = visible[0] if visible else None
    # termination: the first end signal
    by, how = "unknown", "capture_end"
    server_ttls = f["server_ttls"]
    for side, kind, detail in f["events"]:
        who = "client" if side == "c" else "server"
        if kind == "alert":
            x = f["alerts"][detail]
            if hidden(x):
                continue
            fatal_alert = x["level"] == 2 or (x["encrypted"] and not x["established"])
            by, how = who, ("alert" if fatal_alert else "close")
            break
        if kind == "FIN":
            by, how = who, "close"
            break
        if kind == "RST":
            ttl = int(detail.split("=")[1]) if detail.startswith("ttl=") and detail[4:] else None
            if side == "s" and ttl is not None and server_ttls and ttl not in server_ttls:
                who = "middlebox"
            by, how = who, "reset"
            break
    # failed step by the catalog's definitions
    step = "-"
    if not established:
        code = fatal[0]["code"] if fatal else None
        if f["client_tls"] is False:
            step = "client_hello"
        elif code in (50, 22) and not f["sh"]:
            step = "client_hello"
        elif code is None and not f["sh"] and f["fin_msg"]["c"] and f["fin_msg"]["s"]:
            step = "certificate"      # TLS 1.3, encrypted alert after both Finished
        elif code is None and not f["sh"]:
            step = "server_hello"
        elif code in CERT_ALERTS:
            step = "certificate"
        elif code == 40 and fatal[0]["side"] == "c" and f["server_cert"] and not f["ccs"]["c"]:
            # the catalog's "client's abort right after the server's certificate flight"
            # (the Erlang client sends 40 for a host name that the certificate lacks)
            step = "certificate"
        elif code == 40 and f["empty_client_cert"]:
            step = "certificate"
        elif code in (47, 71) and f["sh"] or (code == 51 and not f["ccs"]["c"]):
            step = "key_exchange"
        elif code == 20 or (code == 51 and f["ccs"]["c"]):
            step = "finished"
        elif not f["sh"] or code in (70, 40, 86, 112, 120):
            step = "server_hello"
        elif code is None and fatal and fatal[0]["encrypted"]:
            # TLS 1.3 encrypted alert: by whom and when
            step = "certificate"
        elif code is None and not fatal and f["empty_client_cert"]:
            # the catalog's "an empty client Certificate after a CertificateRequest"; the
            # wolfSSL 5.5 TLS 1.2 server resets without any alert after it
            step = "certificate"
        else:
            step = "?"
    resumed = f["resumed"] or f["psk"]
    extra = "-"
    if established:
        extra = "version=%s;cipher=%s;sni=%s" % (f["tls_version"], f["cipher"], f["sni"] or "-")
    return {
        "outcome": "established" if established else "failed",
        "failed_step": step,
        "term_by": by, "term_how": how,
        "alert_sender": (("client" if al["side"] == "c" else "server") if al else "-"),
        "alert_code": (str(al["code"]) if al and not al["encrypted"] else "-"),
        "alert_encrypted": (("true" if al["encrypted"] else "false") if al else "-"),
        "resumed": "true" if resumed else "false",
        "extra": extra,
    }

def scenario_for(name, cport):
    """(row, outcome, failed_step, diagnosis, assert_tcp_end) the capture was made to show."""
    n = (cport - 50000) // 10
    if name in DERIVED:
        src, override = DERIVED[name]
        if override:
            return override
        n = src
    if n not in SCENARIOS:
        return None
    _, row, outcome, step, diag = SCENARIOS[n]
    return (row, outcome, step, diag, True)

def rows_for(path, verbose=False):
    name = os.path.basename(path)[:-5]
    keylog = path[:-5] + ".keylog"
    keylog = keylog if os.path.exists(keylog) else None
    out = []
    for cport, conn in connections(path, keylog).items():
        f = facts(conn)
        d = derive(conn, f)
        sc = scenario_for(name, cport)
        tsh = describe(conn, f)
        if verbose:
            print("%s %d->%d: %s" % (name, cport, conn.sport, tsh))
            for num, side, a, k in conn.frames:
                print("    #%d %s ct=%s hs=%s alert=%s/%s flags=S%sF%sR%s len=%s ttl=%s" % (
                    num, side, k["tls.record.content_type"] or k["tls.record.opaque_type"],
                    k["tls.handshake.type"], k["tls.alert_message.level"],
                    k["tls.alert_message.desc"], a["tcp.flags.syn"], a["tcp.flags.fin"],
                    a["tcp.flags.reset"], a["tcp.len"], a["ip.ttl"] or a["ipv6.hlim"]))
        if sc is None:
            print("skipped: %s port %d: not a captures/generate.sh scenario" % (name, cport),
                  file=sys.stderr)
            continue
        row_no, outcome, step, diag, tcp_end = sc
        if outcome == "incomplete":
            d["outcome"], d["failed_step"] = "incomplete", "*"
            if not tcp_end:
                for k_ in ("term_by", "term_how", "alert_sender", "alert_code",
                           "alert_encrypted", "resumed", "extra"):
                    d[k_] = "*"
        else:
            if (d["outcome"], d["failed_step"]) != (outcome, step):
                print("MISMATCH: %s port %d: tshark facts give %s/%s, the scenario (row %s) "
                      "says %s/%s" % (name, cport, d["outcome"], d["failed_step"], row_no,
                                      outcome, step), file=sys.stderr)
        d.update({"file": name + ".pcap", "client_port": str(cport), "diagnosis": diag,
                  "tshark": "row %s: %s" % (row_no, tsh)})
        out.append(d)
    return out

# Connections whose outcome is not visible without the key log (see main).
KEYLESS_EITHER = {("nss_cli_hostname_mismatch.pcap", "51770"),
                  ("nss_cli_expired_cert.pcap", "51780"),
                  ("nss_cli_missing_intermediate.pcap", "51790")}

def read_tsv(path):
    rows = []
    with open(path) as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            v = line.rstrip("\n").split("\t")
            if v[0] == "file":
                continue
            rows.append(dict(zip(COLUMNS, v)))
    return rows

HEADER = """# Expected tlsdiag results, one row per connection, for tests/e2e/run_e2e.py.
# Derived by tests/e2e/derive_expected.py from what tshark 4.0 shows in captures/*.pcap
# (plaintext pass, and a pass with captures/NAME.keylog to read encrypted alerts), by the
# catalog's rules; never from tlsdiag. Rerun it after captures/generate.sh.
# "-" = null / none, "*" = not asserted, "a|b" = either, diagnosis "a,b" = all present.
# term_by/term_how: the side whose end signal (alert, FIN, RST) came first; how = alert
#   (fatal alert, or encrypted alert before the handshake completed), close (close_notify
#   or FIN), reset; middlebox = a RST whose TTL / hop limit differs from the server's.
# alert_*: the first alert record on the wire; code "-" when it is encrypted.
# extra: key=value;... fields of the JSON report, checked too.
# tshark: what tshark showed (c:/s: = client/server, Alert:F48 = fatal 48, e = encrypted
#   on the wire, read with the key log); the catalog row first.
"""

def write_tsv(path, rows):
    with open(path, "w") as fh:
        fh.write(HEADER)
        fh.write("\t".join(COLUMNS) + "\n")
        for r in rows:
            fh.write("\t".join(r[c] for c in COLUMNS) + "\n")

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--captures", default=os.path.join(ROOT, "captures"))
    ap.add_argument("--expected", default=os.path.join(HERE, "expected.tsv"))
    ap.add_argument("--write", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    files = a.files or sorted(glob.glob(os.path.join(a.captures, "*.pcap")))
    rows = []
    for p in files:
        rows += rows_for(p, a.verbose)
    # overrides kept by hand in the expected file (server_silent: close or timeout)
    keyed = []
    for r in rows:
        if r["file"].startswith("server_silent") or (r["file"] == "mixed.pcap" and
                                                     r["client_port"] == "50230"):
            if r["term_how"] == "close":
                r["term_how"] = "close|timeout"
        # A TLS <= 1.2 client that refuses the chain with an alert after both Finished
        # (NSS checks it while it finishes) looks, without the key log, exactly like a
        # probe's close_notify right after the handshake: the outcome needs the keys.
        if (r["file"], r["client_port"]) in KEYLESS_EITHER:
            # ... and with the key log, what tshark shows (the alert's code tlsdiag then
            # reads is checked by e2e_keylog_alerts)
            keyed.append(dict(r, file=r["file"] + "+keylog", alert_code="*"))
            r["outcome"], r["failed_step"], r["term_how"] = \
                "established|failed", "-|certificate", "close|alert"
    rows += keyed
    if a.write:
        write_tsv(a.expected, rows)
        print("wrote %d rows to %s" % (len(rows), a.expected))
        return 0
    for r in rows:
        print("\t".join(r[c] for c in COLUMNS))
    if not os.path.exists(a.expected):
        return 0
    have = {(r["file"], r["client_port"]): r for r in read_tsv(a.expected)}
    bad = 0
    for r in rows:
        e = have.get((r["file"], r["client_port"]))
        if e is None:
            print("NOT IN %s: %s %s" % (a.expected, r["file"], r["client_port"]), file=sys.stderr)
            bad += 1
            continue
        for c in COLUMNS[2:-1]:
            if e.get(c) != r[c]:
                print("DIFFERS %s %s %s: expected.tsv %r, tshark %r" % (
                    r["file"], r["client_port"], c, e.get(c), r[c]), file=sys.stderr)
                bad += 1
    print("%d rows derived, %d differences from %s" % (len(rows), bad, a.expected),
          file=sys.stderr)
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main())
