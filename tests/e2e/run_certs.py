#!/usr/bin/env python3
"""End-to-end checks of tlsdiag's certificate stage on real captures.

usage: tests/e2e/run_certs.py BIN CAPTURES_DIR EXPECTED_CERTS_TSV

1. The rows of EXPECTED_CERTS_TSV (the captures of captures/generate_certs.sh, in
   run_e2e.py's format) are checked by run_e2e.py's rules, with
   --ca-file CAPTURES_DIR/pki-certs/ca.pem.
2. Certificate facts: for every TLS 1.2 capture below, each certificate that tshark
   finds in a Certificate message is decoded with `openssl x509` and compared with
   tlsdiag's JSON "certificates" (server) / "client_certificates" (client): subject,
   issuer, SAN DNS names (also against tshark's x509ce.dNSName), serial, not_before,
   not_after, key type and size, signature algorithm, SHA-256, position.
3. For the failures whose client alert agrees with what openssl sees in the certificate,
   that finding is the first diagnosis, "certain".
4. Verdicts do not use today's date: tls12_cert_short_lived's leaf expired minutes
   after the capture; tlsdiag must report it valid (no certificate_expired, an
   expires_soon warning) today and with any --expiry-warning.
5. tls12_ske_signature_invalid (captures/generate.sh's tampering proxy): the
   ServerKeyExchange signature as captured does not verify with `openssl` against
   the leaf's key, and verifies once its last byte is flipped back, so what the
   proxy changed is the signature; tlsdiag must say so.

6. The CAs a TLS 1.2 CertificateRequest names (CA_CAPTURES): where tlsdiag says
   client_certificate_required, its facts ca_names and ca_name_first are the number of
   DistinguishedNames tshark decodes in that connection's CertificateRequest and the
   first of them (tshark's "id-at-commonName=..." words in RFC 2253 short names);
   gotls_cli_client_cert_withheld must be among them (a Go client that withholds a
   certificate no named CA issued).

Nothing expected here is copied from tlsdiag: the values come from tshark and openssl.
Needs tshark and openssl; exits 77 (skipped) without them. Ends with "N passed, N failed".
"""
import argparse, datetime, json, os, re, shutil, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_e2e  # noqa: E402
import tshark_view  # noqa: E402

# TLS 1.2 captures whose certificates are compared with openssl's view of them.
FACT_CAPTURES = [
    "tls12_cert_not_yet_valid.pcap", "tls12_cert_self_signed.pcap", "tls12_cert_weak_key.pcap",
    "tls12_cert_sha1.pcap", "tls12_cert_chain_order.pcap", "tls12_cert_short_lived.pcap",
    "tls12_dhe_ok.pcap", "tls12_ecdsa_ok.pcap", "tls10_ecdhe_ok.pcap",
    # captures/generate.sh
    "tls12_ok.pcap", "tls12_expired_cert.pcap", "tls12_hostname_mismatch.pcap",
    "tls12_missing_intermediate.pcap", "tls12_ske_signature_invalid.pcap",
    "tls12_client_cert_rejected.pcap", "tls12_mutual_ok.pcap",
]

KEY_TYPES = {"rsaEncryption": "RSA", "id-ecPublicKey": "EC", "ED25519": "Ed25519",
             "ED448": "Ed448", "rsassaPss": "RSA-PSS", "dsaEncryption": "DSA"}


def sh(cmd, data=None):
    return subprocess.run(cmd, input=data, capture_output=True, check=True).stdout


EXTRA_ARGS = []  # --bin-arg: given to every tlsdiag run


def tlsdiag(bin_, path, *args):
    p = subprocess.run([bin_, "-T", "json", "--all", *EXTRA_ARGS, *args, path],
                       capture_output=True)
    if p.returncode not in (0, 1):   # 1: a handshake failed
        raise RuntimeError("%s exited %d: %s" % (bin_, p.returncode, p.stderr.decode()[-300:]))
    out = p.stdout.decode()
    return [json.loads(l) for l in out.splitlines() if l.strip().startswith("{") and '"outcome"' in l]


def server_port(path):
    """The sender of the first SYN-ACK."""
    return int(next(v["tcp.srcport"] for v in tshark_view.frames(path)
                    if v["tcp.flags.syn"] in ("1", "True") and v["tcp.flags.ack"] in ("1", "True")))


def handshake_rows(path, sport, htype):
    """tshark's rows (tshark_view.VIEW_FIELDS) of the frames with a handshake message of
    type HTYPE, SPORT decoded as TLS."""
    return [v for v in tshark_view.view(path, [sport])[0]
            if str(htype) in v["tls.handshake.type"].split(",")]


def tshark_certs(path, sport):
    """[(sender, client port, [der, ...], [dNSName, ...])] per Certificate message."""
    msgs = []
    for v in handshake_rows(path, sport, 11):
        if not v["tls.handshake.certificate"]:
            continue
        src, dst = int(v["tcp.srcport"]), int(v["tcp.dstport"])
        sender = "server" if src == sport else "client"
        ders = [bytes.fromhex(h.replace(":", "")) for h in v["tls.handshake.certificate"].split(",")]
        dns = v["x509ce.dNSName"].split(",") if v["x509ce.dNSName"] else []
        msgs.append((sender, dst if sender == "server" else src, ders, dns))
    return msgs


def gmt(s):
    """openssl's 'Jan  1 00:00:00 2020 GMT' as ISO 8601 UTC."""
    t = datetime.datetime.strptime(" ".join(s.split()), "%b %d %H:%M:%S %Y GMT")
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def openssl_facts(der):
    out = sh(["openssl", "x509", "-inform", "DER", "-noout", "-nameopt", "RFC2253", "-subject",
              "-issuer", "-serial", "-startdate", "-enddate", "-fingerprint", "-sha256", "-text"],
             der).decode()
    f = {}
    for line in out.splitlines():
        if line.startswith("subject="):
            f["subject"] = line[len("subject="):]
        elif line.startswith("issuer="):
            f["issuer"] = line[len("issuer="):]
        elif line.startswith("serial="):
            f["serial"] = line[len("serial="):]
        elif line.startswith("notBefore="):
            f["not_before"] = gmt(line[len("notBefore="):])
        elif line.startswith("notAfter="):
            f["not_after"] = gmt(line[len("notAfter="):])
        elif "Fingerprint=" in line:
            f["sha256"] = line.split("=", 1)[1].replace(":", "").lower()
    m = re.search(r"Public Key Algorithm: (\S+)", out)
    f["key_type"] = KEY_TYPES.get(m.group(1), m.group(1)) if m else None
    m = re.search(r"Public-Key: \((\d+) bit\)", out)
    f["key_bits"] = int(m.group(1)) if m else None
    m = re.search(r"Signature Algorithm: (\S+)", out)
    f["signature_algorithm"] = m.group(1) if m else None
    m = re.search(r"X509v3 Subject Alternative Name:.*\n\s*(.*)", out)
    sans = [x.strip() for x in m.group(1).split(",")] if m else []
    f["san_dns"] = [x[4:] for x in sans if x.startswith("DNS:")]
    f["san_ip"] = [x[len("IP Address:"):] for x in sans if x.startswith("IP Address:")]
    return f


def same_serial(a, b):
    return (a or "").lstrip("0").lower() == (b or "").lstrip("0").lower()


def check_facts(a, checks):
    for name in FACT_CAPTURES:
        path = os.path.join(a.captures, name)
        if not os.path.exists(path):
            checks.fail("%s: capture missing" % name)
            continue
        sport = server_port(path)
        reports = {}
        for o in tlsdiag(a.bin, path):
            reports[o["client"]["port"]] = o
        for sender, cport, ders, dns in tshark_certs(path, sport):
            where = "%s port %d %s certificates" % (name, cport, sender)
            o = reports.get(cport)
            if o is None:
                checks.fail("%s: no report" % where)
                continue
            got = o["certificates" if sender == "server" else "client_certificates"]
            if len(got) != len(ders):
                checks.fail("%s: %d in tlsdiag's report, %d on the wire" % (where, len(got), len(ders)))
                continue
            if sender == "server" and o.get("certificates_sent") != len(ders):
                checks.fail("%s: certificates_sent %s, %d on the wire" % (
                    where, o.get("certificates_sent"), len(ders)))
            all_dns = []
            for i, der in enumerate(ders):
                want, have = openssl_facts(der), got[i]
                all_dns += want["san_dns"]
                for k in ("subject", "issuer", "not_before", "not_after", "key_type", "key_bits",
                          "signature_algorithm", "sha256", "san_dns", "san_ip"):
                    if have.get(k) == want[k]:
                        checks.ok()
                    else:
                        checks.fail("%s #%d %s: tlsdiag %r, openssl %r" % (where, i, k, have.get(k), want[k]))
                if same_serial(have.get("serial"), want["serial"]):
                    checks.ok()
                else:
                    checks.fail("%s #%d serial: tlsdiag %r, openssl %r" % (where, i, have.get("serial"), want["serial"]))
                if have.get("position") == i:
                    checks.ok()
                else:
                    checks.fail("%s #%d position %r" % (where, i, have.get("position")))
            if all_dns == dns:   # openssl and tshark agree on the names
                checks.ok()
            else:
                checks.fail("%s: SAN DNS by openssl %r, by tshark %r" % (where, all_dns, dns))


# The client's alert (tshark) agrees with what is wrong with the certificate (openssl),
# so the catalog says: that finding first, "certain". CA file per capture family.
FIRST = [
    ("tls12_cert_not_yet_valid.pcap", "pki-certs", "certificate_not_yet_valid"),
    ("tls12_cert_self_signed.pcap", "pki-certs", "self_signed"),
    ("tls12_cert_weak_key.pcap", "pki-certs", "weak_key"),
    ("tls12_cert_sha1.pcap", "pki-certs", "weak_signature_algorithm"),
    ("tls12_expired_cert.pcap", "pki", "certificate_expired"),          # client 45
    ("tls12_hostname_mismatch.pcap", "pki", "hostname_mismatch"),       # client 42
]
# The leaf's issuer was neither sent nor in the CA file: a missing intermediate
# and a private CA look alike from one connection (catalog, evidence rules), so
# both are reported, neither certain; the missing intermediate first.
LIKELY_FIRST = [
    ("tls12_missing_intermediate.pcap", "pki", "missing_intermediate",
     "server_certificate_untrusted"),  # client 48
]


def check_first(a, checks):
    for name, pki, code in FIRST:
        path = os.path.join(a.captures, name)
        if not os.path.exists(path):
            checks.fail("%s: capture missing" % name)
            continue
        for o in tlsdiag(a.bin, path, "--ca-file", os.path.join(a.captures, pki, "ca.pem")):
            d = o["diagnosis"][0] if o["diagnosis"] else {}
            if d.get("code") == code and d.get("confidence") == "certain" \
                    and o["failed_step"] == "certificate":
                checks.ok()
            else:
                checks.fail("%s: first diagnosis %s (%s), step %s; expected %s (certain), "
                            "certificate" % (name, d.get("code"), d.get("confidence"),
                                             o["failed_step"], code))
            generic = [x["code"] for x in o["diagnosis"] if x["code"] == "server_certificate_rejected"]
            if generic:
                checks.fail("%s: the generic server_certificate_rejected is still there" % name)
    for name, pki, code, also in LIKELY_FIRST:
        path = os.path.join(a.captures, name)
        if not os.path.exists(path):
            checks.fail("%s: capture missing" % name)
            continue
        for o in tlsdiag(a.bin, path, "--ca-file", os.path.join(a.captures, pki, "ca.pem")):
            codes = {x["code"]: x["confidence"] for x in o["diagnosis"]}
            d = o["diagnosis"][0] if o["diagnosis"] else {}
            if d.get("code") == code and d.get("confidence") == "likely" and \
                    codes.get(also) == "likely" and o["failed_step"] == "certificate":
                checks.ok()
            else:
                checks.fail("%s: diagnoses %s, step %s; expected %s then %s, both likely" %
                            (name, codes, o["failed_step"], code, also))


def check_capture_time(a, checks):
    """A certificate valid at capture time but expired since is still valid."""
    path = os.path.join(a.captures, "tls12_cert_short_lived.pcap")
    sport = server_port(path)
    leaf = tshark_certs(path, sport)[0][2][0]
    not_after = datetime.datetime.strptime(openssl_facts(leaf)["not_after"], "%Y-%m-%dT%H:%M:%SZ")
    now = datetime.datetime.utcnow()
    if not_after < now:
        checks.ok()          # the test is meaningful: the leaf has expired by now
    else:
        print("note: tls12_cert_short_lived's leaf has not expired yet (notAfter %s)" % not_after)
    for extra in ([], ["--expiry-warning", "0"], ["--expiry-warning", "3650"]):
        for o in tlsdiag(a.bin, path, "--ca-file", a.ca_file, *extra):
            codes = [d["code"] for d in o["diagnosis"]]
            where = "tls12_cert_short_lived %s" % " ".join(extra)
            if o["outcome"] == "established" and "certificate_expired" not in codes \
                    and "server_certificate_untrusted" not in codes:
                checks.ok()
            else:
                checks.fail("%s: %s %s" % (where, o["outcome"], codes))
            want_soon = extra != ["--expiry-warning", "0"]
            if ("expires_soon" in codes) == want_soon:
                checks.ok()
            else:
                checks.fail("%s: expires_soon %s, expected %s" % (where, "expires_soon" in codes, want_soon))


def check_ske_flip(a, checks):
    """The tampering proxy flipped a bit of the signature, and only there."""
    path = os.path.join(a.captures, "tls12_ske_signature_invalid.pcap")
    if not os.path.exists(path):
        checks.fail("tls12_ske_signature_invalid.pcap missing")
        return
    sport = server_port(path)
    cr = handshake_rows(path, sport, 1)[0]["tls.handshake.random"]
    sr = handshake_rows(path, sport, 2)[0]["tls.handshake.random"]
    v = handshake_rows(path, sport, 12)[0]
    curve_type, group, point, scheme, sig = (v[f].strip() for f in tshark_view.CERT_FIELDS[3:])
    point = bytes.fromhex(point.replace(":", ""))
    params = bytes([int(curve_type, 0)]) + int(group, 0).to_bytes(2, "big") + bytes([len(point)]) + point
    data = bytes.fromhex(cr.replace(":", "")) + bytes.fromhex(sr.replace(":", "")) + params
    sig = bytes.fromhex(sig.replace(":", ""))
    scheme = int(scheme, 0)
    md = {4: "-sha256", 5: "-sha384", 6: "-sha512"}[(scheme & 0xff) if scheme >> 8 == 8 else scheme >> 8]
    opts = ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:-1"] if scheme >> 8 == 8 else []
    leaf = tshark_certs(path, sport)[0][2][0]
    with tempfile.TemporaryDirectory() as t:
        pub = os.path.join(t, "pub.pem")
        pem = sh(["openssl", "x509", "-inform", "DER", "-pubkey", "-noout"], leaf)
        open(pub, "wb").write(pem)
        open(os.path.join(t, "data"), "wb").write(data)

        def verifies(s):
            open(os.path.join(t, "sig"), "wb").write(s)
            p = subprocess.run(["openssl", "dgst", md, *opts, "-verify", pub, "-signature",
                                os.path.join(t, "sig"), os.path.join(t, "data")], capture_output=True)
            return p.returncode == 0
        if not verifies(sig) and verifies(sig[:-1] + bytes([sig[-1] ^ 1])):
            checks.ok()
        else:
            checks.fail("tls12_ske_signature_invalid: the captured signature does not differ from a "
                        "valid one in its last bit only")
    o = tlsdiag(a.bin, path)[0]
    if o["diagnosis"] and o["diagnosis"][0]["code"] == "key_exchange_signature_invalid" \
            and o["failed_step"] == "key_exchange" and o.get("server_key_exchange_signature") == "invalid":
        checks.ok()
    else:
        checks.fail("tls12_ske_signature_invalid: tlsdiag says %s %s" % (
            o["failed_step"], [d["code"] for d in o["diagnosis"]]))


# TLS 1.2 captures with a plaintext CertificateRequest.
CA_CAPTURES = ["gotls_cli_client_cert_withheld.pcap", "tls12_client_cert_required.pcap",
               "gotls_cli_tls12_client_cert_required.pcap",
               "gotls_srv_tls12_client_cert_required.pcap",
               "jsse_cli_tls12_client_cert_required.pcap",
               "jsse_srv_tls12_client_cert_required.pcap"]
# tshark's attribute names (X.520 id-at-*, PKCS #9) as RFC 2253 / OpenSSL write them.
RDN_SHORT = {"id-at-commonName": "CN", "id-at-organizationName": "O",
             "id-at-organizationalUnitName": "OU", "id-at-countryName": "C",
             "id-at-stateOrProvinceName": "ST", "id-at-localityName": "L",
             "id-at-streetAddress": "street", "id-domainComponent": "DC",
             "pkcs-9-at-emailAddress": "emailAddress"}


def tshark_ca_names(path, sport):
    """{client port: [DistinguishedName in RFC 2253 words, ...]} per CertificateRequest,
    from tshark's PDML (its "Distinguished Name: (a=b,c=d)" lists the RDNs last first,
    as RFC 2253 does)."""
    import xml.etree.ElementTree as ET
    pdml = tshark_view.tshark(path, ["-d", "tcp.port==%d,tls" % sport, "-Y",
                                     "tls.handshake.type == 13", "-T", "pdml"])
    out = {}
    for pkt in ET.fromstring(pdml).iter("packet"):
        port = next(int(f.get("show")) for f in pkt.iter("field")
                    if f.get("name") == "tcp.dstport")
        for dnames in (f for f in pkt.iter("field") if f.get("name") == "tls.handshake.dnames"):
            names = []
            for dn in (f for f in dnames.iter("field") if f.get("name") == "tls.handshake.dname"):
                words = dn.get("showname").split(": ", 1)[1].strip("()")
                rdns = []
                for rdn in words.split(","):
                    k, v = rdn.split("=", 1)
                    rdns.append("%s=%s" % (RDN_SHORT.get(k, k), v))
                names.append(",".join(rdns))
            out[port] = names
    return out


def check_ca_names(a, checks):
    seen = set()
    for name in CA_CAPTURES:
        path = os.path.join(a.captures, name)
        sport = server_port(path)
        want = tshark_ca_names(path, sport)
        if not want:
            checks.fail("%s: tshark decodes no CertificateRequest" % name)
            continue
        for o in tlsdiag(a.bin, path):
            cport = o["client"]["port"]
            d = next((d for d in o["diagnosis"] if d["code"] == "client_certificate_required"),
                     None)
            if d is None or cport not in want:
                continue
            seen.add(name)
            names, facts = want[cport], d.get("facts", {})
            got = (facts.get("ca_names"), facts.get("ca_name_first"))
            exp = (len(names), names[0] if names else None)
            if got == exp:
                checks.ok()
            else:
                checks.fail("%s port %d: CertificateRequest CAs %r, tlsdiag says %r" % (
                    name, cport, exp, got))
    if "gotls_cli_client_cert_withheld.pcap" in seen:
        checks.ok()
    else:
        checks.fail("gotls_cli_client_cert_withheld.pcap: no client_certificate_required checked")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin-arg", action="append", default=[],
                    help="extra argument for every tlsdiag run (repeatable)")
    ap.add_argument("bin")
    ap.add_argument("captures")
    ap.add_argument("expected")
    a = ap.parse_args()
    EXTRA_ARGS.extend(a.bin_arg)
    if not shutil.which("tshark") or not shutil.which("openssl"):
        print("tshark or openssl missing: skipped")
        return 77
    a.ca_file = os.path.join(a.captures, "pki-certs", "ca.pem")
    checks = run_e2e.Checks()
    e2e = argparse.Namespace(bin=a.bin, captures=a.captures, expected=a.expected,
                             bin_arg=["--ca-file=" + a.ca_file, *a.bin_arg], timeout=60)
    run_e2e.check_expected(e2e, checks)
    check_facts(a, checks)
    check_first(a, checks)
    check_capture_time(a, checks)
    check_ske_flip(a, checks)
    check_ca_names(a, checks)
    print("%d passed, %d failed" % (checks.passed, checks.failed))
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
