#!/usr/bin/env python3
"""The daily-use outputs against tshark and the TLS stacks themselves.

usage: tests/e2e/run_ux.py [--all-captures] BIN CAPTURES_DIR

For each capture of a set that covers IPv4/IPv6, VLAN, Linux cooked v2,
TLS 1.2/1.3, resumption, HRR, gaps and mid-stream starts (every capture in
CAPTURES_DIR with --all-captures, the slow suite), one tshark pass each,
every server port decoded as TLS, Community ID on:
  community_id   each JSON connection's community_id is the communityid
                 tshark computes for the packets of that connection;
  -T line        the positional fields (verdict, step, cause, SNI, server,
                 client) agree with the JSON record of the same id, the SNI
                 and the server endpoint with tshark (the ClientHello's
                 server_name, the SYN's destination);
  -T zeek        one record per connection with the #fields count; uid, the
                 endpoints, established and the cause agree with the JSON
                 record; version (Zeek's names), server_name, curve (the
                 ServerHello's key_share group, or the ServerKeyExchange's
                 named curve) and cert_chain_fps (sha256 of each certificate
                 of the server's Certificate message) agree with tshark.
Next steps (captures of captures/generate.sh, servers set up as there):
  openssl        the `next:` command of a failure, pointed at an OpenSSL or
                 GnuTLS server configured as in the capture, fails the same
                 way (the alert, or the certificate verification);
  tshark filter  `tshark -Y FILTER` selects exactly the frames of that one
                 TCP stream.
Fleet patterns (captures/fleet.pcap): the patterns of `-T json --group`
against those computed here from tshark's view of each connection (server
address, SNI, leaf sha256, a fatal alert or not, the highest version
offered), by the rules of include/tlsd/group.h.
Ends with 'N passed, N failed'; 77 (skipped) without tshark.
"""
import glob, hashlib, json, os, re, shutil, socket, subprocess, sys, time
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))

F = ["frame.number", "frame.time_epoch", "tcp.stream", "ip.src", "ipv6.src", "tcp.srcport",
     "ip.dst", "ipv6.dst", "tcp.dstport", "tcp.flags.syn", "tcp.flags.ack", "communityid",
     "udp.srcport", "udp.dstport", "udp.stream",
     "tls.handshake.type", "tls.handshake.extensions_server_name",
     "tls.handshake.extensions.supported_version", "tls.handshake.version",
     "tls.handshake.extensions_key_share_group", "tls.handshake.server_named_curve",
     "tls.alert_message.level", "tls.alert_message.desc", "tls.handshake.certificate"]

# Zeek's names (base/protocols/ssl/consts.zeek: version_strings, ec_curves)
ZEEK_VERSIONS = {0x0300: "SSLv3", 0x0301: "TLSv10", 0x0302: "TLSv11", 0x0303: "TLSv12",
                 0x0304: "TLSv13"}
ZEEK_CURVES = {23: "secp256r1", 24: "secp384r1", 25: "secp521r1", 29: "x25519", 30: "x448",
               256: "ffdhe2048", 257: "ffdhe3072", 258: "ffdhe4096"}


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, cond, detail=""):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s: %s" % (name, detail), flush=True)


def ints(s):
    out = []
    for x in s.split(","):
        try:
            out.append(int(x, 0))
        except ValueError:
            pass
    return out


def tshark_view(path):
    """{frozenset(endpoints): facts} of the TCP connections tshark sees."""
    ports = set(subprocess.run(["tshark", "-r", path, "-Y", "tcp.flags.syn==1 && tcp.flags.ack==0",
                                "-T", "fields", "-e", "tcp.dstport"],
                               capture_output=True, text=True).stdout.split())
    args = ["tshark", "-r", path, "-o", "tcp.reassemble_out_of_order:TRUE",
            "--enable-protocol", "communityid", "-Y", "tcp || (udp && !icmp && !icmpv6)", "-T", "fields",
            "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for p in sorted(ports):
        args += ["-d", "tcp.port==%s,tls" % p]
    for f in F:
        args += ["-e", f]
    out = subprocess.run(args, capture_output=True, text=True, timeout=600).stdout
    conns = {}
    for line in out.splitlines():
        v = dict(zip(F, line.split("\t")))
        udp = not v.get("tcp.srcport")
        if udp and not v.get("udp.srcport"):
            continue
        if udp:  # QUIC: the 4-tuple and its Community ID only
            v["tcp.stream"] = "u" + v["udp.stream"]
        src = ((v["ip.src"] or v["ipv6.src"]).split(",")[-1],
               int(v["udp.srcport"] if udp else v["tcp.srcport"]))
        dst = ((v["ip.dst"] or v["ipv6.dst"]).split(",")[-1],
               int(v["udp.dstport"] if udp else v["tcp.dstport"]))
        c = conns.setdefault(frozenset([src, dst]), {
            "cids": set(), "streams": set(), "server": None, "client": None, "sni": None,
            "ch": False, "max_v": 0, "version": None, "curve": None, "fatal": False,
            "certs": None, "first": float(v["frame.time_epoch"]), "frames": 0})
        c["frames"] += 1
        c["streams"].add(v["tcp.stream"])
        if v["communityid"]:
            c["cids"].add(v["communityid"])
        if v["tcp.flags.syn"] in ("1", "True") and v["tcp.flags.ack"] in ("0", "False"):
            c["server"], c["client"] = dst, src
        types = ints(v["tls.handshake.type"])
        if 1 in types and not c["ch"]:
            c["ch"] = True
            c["client"] = c["client"] or src
            c["server"] = c["server"] or dst
            c["sni"] = v["tls.handshake.extensions_server_name"].split(",")[0] or None
            sv = [x for x in ints(v["tls.handshake.extensions.supported_version"])
                  if 0x0300 <= x <= 0x0304]
            c["max_v"] = max(sv) if sv else (ints(v["tls.handshake.version"]) or [0])[0]
        if 2 in types and 1 not in types:
            sv = ints(v["tls.handshake.extensions.supported_version"])
            legacy = ints(v["tls.handshake.version"])
            c["version"] = sv[-1] if sv else (legacy[0] if legacy else None)
            ks = ints(v["tls.handshake.extensions_key_share_group"])
            if ks:
                c["curve"] = ks[-1]
        if 12 in types and ints(v["tls.handshake.server_named_curve"]):
            c["curve"] = ints(v["tls.handshake.server_named_curve"])[0]
        if 11 in types and c["certs"] is None and c["server"] == src and \
                v["tls.handshake.certificate"]:
            c["certs"] = [hashlib.sha256(bytes.fromhex(h.replace(":", ""))).hexdigest()
                          for h in v["tls.handshake.certificate"].split(",")]
        if 2 in ints(v["tls.alert_message.level"]):
            c["fatal"] = True
    return conns


def endpoint(e):
    return (e["ip"], e["port"])


def ep_text(ip, port):
    return "[%s]:%d" % (ip, port) if ":" in ip else "%s:%d" % (ip, port)


def line_field(s):
    """-T line's escaping of one field."""
    if s is None or s == "":
        return "-"
    out = ""
    for b in s.encode("utf-8", "surrogateescape"):
        out += chr(b) if 0x20 < b < 0x7f and b != 0x5c else "\\x%02x" % b
    return out


def run(bin_, *args):
    p = subprocess.run([bin_, *args], capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "surrogateescape")


def check_capture(ck, bin_, path, view):
    name = os.path.basename(path)
    _, out = run(bin_, "-T", "json", "-a", path)
    recs = [json.loads(l) for l in out.splitlines() if l.strip()]
    conns = [r for r in recs if r.get("type") == "connection"]
    by_id = {r["id"]: r for r in conns}
    ck.check(name + ": ids unique", len(by_id) == len(conns), [r["id"] for r in conns])
    for r in conns:
        key = frozenset([endpoint(r["client"]), endpoint(r["server"])])
        t = view.get(key)
        if t is None:
            ck.check("%s %s: tshark sees the connection" % (name, r["id"]), False, key)
            continue
        ck.check("%s %s: community_id" % (name, r["id"]), t["cids"] == {r["community_id"]},
                 (r["community_id"], t["cids"]))
        if r.get("transport", "tcp") != "tcp":
            continue  # QUIC: the Community ID (UDP) only
        if t["ch"] and len(t["streams"]) == 1:
            ck.check("%s %s: sni" % (name, r["id"]), r["sni"] == t["sni"], (r["sni"], t["sni"]))
            ck.check("%s %s: server endpoint" % (name, r["id"]),
                     endpoint(r["server"]) == t["server"], (r["server"], t["server"]))
            want_curve = ZEEK_CURVES.get(t["curve"]) if t["curve"] else None
            if t["version"] is not None:
                ck.check("%s %s: curve" % (name, r["id"]), r["curve"] == want_curve,
                         (r["curve"], t["curve"]))

    # -T line
    _, out = run(bin_, "-T", "line", "-a", path)
    lines = out.splitlines()
    ck.check(name + ": -T line, one line per connection", len(lines) == len(conns),
             (len(lines), len(conns)))
    for l in lines:
        f = l.split(" ")
        ids = [x[3:] for x in f if x.startswith("id=")]
        r = by_id.get(ids[0]) if ids else None
        if r is None:
            ck.check(name + ": -T line id", False, l)
            continue
        want = [r["outcome"].upper(), r["failed_step"] or "-",
                "%s(%s)" % (r["cause"], r["confidence"]) if r["cause"] else "-",
                line_field(r["sni"]), ep_text(*endpoint(r["server"])),
                ep_text(*endpoint(r["client"]))]
        ck.check("%s %s: -T line fields" % (name, r["id"]), f[:6] == want, (f[:6], want))

    # -T zeek
    _, out = run(bin_, "-T", "zeek", "-a", path)
    zl = out.splitlines()
    fields = [l for l in zl if l.startswith("#fields\t")]
    ck.check(name + ": -T zeek header", zl[:5] == ["#separator \\x09", "#set_separator\t,",
                                                   "#empty_field\t(empty)", "#unset_field\t-",
                                                   "#path\tssl"] and len(fields) == 1, zl[:6])
    if not fields:
        return
    names = fields[0].split("\t")[1:]
    zrecs = [dict(zip(names, l.split("\t"))) for l in zl if not l.startswith("#")]
    ck.check(name + ": -T zeek records", len(zrecs) == len(conns) and
             all(len(l.split("\t")) == len(names) for l in zl if not l.startswith("#")),
             (len(zrecs), len(conns)))
    for z in zrecs:
        r = by_id.get(z["uid"])
        if r is None:
            ck.check(name + ": zeek uid", False, z["uid"])
            continue
        key = frozenset([endpoint(r["client"]), endpoint(r["server"])])
        t = view.get(key, {})
        ck.check("%s %s: zeek endpoints" % (name, r["id"]),
                 (z["id.orig_h"], int(z["id.orig_p"]), z["id.resp_h"], int(z["id.resp_p"])) ==
                 endpoint(r["client"]) + endpoint(r["server"]), z)
        ck.check("%s %s: zeek established" % (name, r["id"]),
                 z["established"] == ("T" if r["outcome"] == "established" else "F"), z)
        ck.check("%s %s: zeek cause" % (name, r["id"]),
                 z["tlsdiag.cause"] == (r["cause"] or "-"), (z["tlsdiag.cause"], r["cause"]))
        if t.get("ch") and len(t.get("streams", ())) == 1 and r.get("transport", "tcp") == "tcp":
            ck.check("%s %s: zeek server_name" % (name, r["id"]),
                     z["server_name"] == (t["sni"] if t["sni"] else "-"), (z["server_name"], t["sni"]))
            if t["version"] is not None:
                ck.check("%s %s: zeek version" % (name, r["id"]),
                         z["version"] == ZEEK_VERSIONS.get(t["version"], "?"), (z["version"], t["version"]))
                ck.check("%s %s: zeek curve" % (name, r["id"]),
                         z["curve"] == ZEEK_CURVES.get(t["curve"], "-"), (z["curve"], t["curve"]))
            if t["certs"] and r["version"] != "TLS 1.3":
                ck.check("%s %s: zeek cert_chain_fps" % (name, r["id"]),
                         z["cert_chain_fps"].split(",") == t["certs"][:10],
                         (z["cert_chain_fps"], t["certs"]))


# ---- next steps ------------------------------------------------------------------------

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_listen(port, t=5.0):
    t0 = time.time()
    while time.time() - t0 < t:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def confirm(ck, bin_, caps):
    """The printed command against a server set up as in captures/generate.sh."""
    pki = os.path.join(caps, "pki")
    srv = ["openssl", "s_server", "-cert", os.path.join(pki, "server.pem"), "-key",
           os.path.join(pki, "server.key"), "-cert_chain", os.path.join(pki, "inter.pem"),
           "-naccept", "1", "-ign_eof"]
    gsrv = ["gnutls-serv", "--x509certfile", os.path.join(pki, "server.chain.pem"),
            "--x509keyfile", os.path.join(pki, "server.key")]
    cases = [
        ("tls12_no_shared_cipher.pcap", srv + ["-tls1_2", "-cipher", "AES256-GCM-SHA384"],
         "accept", r"alert handshake failure|alert number 40"),
        ("tls_version_srv13_cli12.pcap", srv + ["-tls1_3"], "accept",
         r"alert protocol version|alert number 70"),
        ("sni_unrecognized.pcap", srv + ["-servername", "www.tlsdiag.test", "-servername_fatal",
                                         "-cert2", os.path.join(pki, "server.pem"), "-key2",
                                         os.path.join(pki, "server.key")], "accept",
         r"unrecognized name|alert number 112"),
        ("alpn_mismatch.pcap", gsrv + ["--alpn", "h2", "--alpn-fatal"], "-p",
         r"no application protocol|alert number 120"),
        ("tls12_unknown_ca.pcap", srv + ["-tls1_2"], "accept",
         r"certificate verify failed|unable to get local issuer certificate"),
    ]
    if not shutil.which("openssl"):
        print("openssl not found: the confirmation commands are not run")
        return
    for cap, server, portflag, want in cases:
        path = os.path.join(caps, cap)
        if not os.path.exists(path):
            continue
        if server[0] == "gnutls-serv" and not shutil.which("gnutls-serv"):
            continue
        _, out = run(bin_, "-T", "json", path)
        recs = [json.loads(l) for l in out.splitlines() if l.strip()]
        fails = [r for r in recs if r.get("outcome") == "failed"]
        if not fails:
            ck.check(cap + ": a failure to confirm", False, out[:200])
            continue
        cmd = fails[0]["next_steps"]["openssl"]
        port = free_port()
        args = cmd.replace(" </dev/null", "").split()
        i = args.index("-connect")
        args[i + 1] = "127.0.0.1:%d" % port
        if portflag == "accept":
            server = server + ["-accept", "127.0.0.1:%d" % port]
        else:
            server = server + ["-p", str(port)]
        sp = subprocess.Popen(server, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
        try:
            if not wait_listen(port):
                ck.check(cap + ": test server starts", False, server)
                continue
            # the probe above was one connection: s_server -naccept 1 has used it
            if portflag == "accept":
                sp.kill()
                sp.wait()
                sp = subprocess.Popen([x for x in server if x not in ("-naccept", "1")],
                                      stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
                time.sleep(0.5)
            p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
            text = (p.stdout + p.stderr).decode("utf-8", "replace")
            ck.check("%s: `%s` reproduces the failure" % (cap, cmd),
                     p.returncode != 0 and re.search(want, text, re.I) is not None, text[-600:])
        finally:
            sp.kill()
            sp.wait()


def display_filters(ck, bin_, caps, views):
    for cap, n in (("mixed.pcap", 6), ("fleet.pcap", 3), ("tls12_no_shared_cipher_ipv6.pcap", 1)):
        path = os.path.join(caps, cap)
        if not os.path.exists(path):
            continue
        view = views.get(path) or tshark_view(path)
        _, out = run(bin_, "-T", "json", path)
        for r in [json.loads(l) for l in out.splitlines() if l.strip()][:n]:
            flt = r["next_steps"]["tshark_filter"]
            got = subprocess.run(["tshark", "-r", path, "-Y", flt, "-T", "fields", "-e", "tcp.stream",
                                  "-e", "tcp.srcport", "-e", "tcp.dstport"],
                                 capture_output=True, text=True).stdout.split("\n")
            rows = [g.split("\t") for g in got if g]
            streams = {x[0] for x in rows}
            ports = {int(x[1]) for x in rows} | {int(x[2]) for x in rows}
            t = view.get(frozenset([endpoint(r["client"]), endpoint(r["server"])]), {})
            ck.check("%s %s: tshark -Y '%s' selects one connection, whole" % (cap, r["id"], flt),
                     len(streams) == 1 and ports == {r["client"]["port"], r["server"]["port"]} and
                     len(rows) == t.get("frames"), (streams, ports, len(rows), t.get("frames")))


# ---- fleet patterns --------------------------------------------------------------------

def expected_patterns(view):
    """The patterns of include/tlsd/group.h, computed from tshark's facts."""
    conns = [c for c in view.values() if c["ch"] and c["sni"]]
    by_sni = defaultdict(list)
    for c in conns:
        by_sni[c["sni"]].append(c)
    pats = set()
    for sni, cs in by_sni.items():
        servers = defaultdict(list)
        for c in cs:
            servers[c["server"]].append(c)
        ok = sum(not c["fatal"] for c in cs)
        fail = len(cs) - ok
        for srv, sc in servers.items():
            s_ok = sum(not c["fatal"] for c in sc)
            s_fail = len(sc) - s_ok
            if s_ok == 0 and s_fail >= 3 and ok > 0 and len(servers) > 1 and \
                    (fail / (ok + fail)) ** s_fail * len(servers) < 0.05:
                pats.add(("server_failing", sni, srv, s_fail))
            oks = [c["first"] for c in sc if not c["fatal"]]
            fails = [c["first"] for c in sc if c["fatal"]]
            if oks and fails and max(oks) < min(fails) and len(oks) >= 2 and len(fails) >= 2:
                comb = 1
                for i in range(1, len(fails) + 1):
                    comb = comb * (len(oks) + i) / i
                if len(servers) / comb < 0.05:
                    pats.add(("failures_began", sni, srv, len(fails)))
        fps = {c["certs"][0] for c in cs if c["certs"]}
        if len(fps) > 1:
            pats.add(("certificates", sni, None, len(fps)))
        by_client = defaultdict(list)
        for c in cs:
            by_client[c["client"][0]].append(c)
        for client, cc in by_client.items():
            cc.sort(key=lambda c: c["first"])
            for i, a in enumerate(cc):
                if a["fatal"] and any(b["max_v"] < a["max_v"] for b in cc[i + 1:]):
                    pats.add(("version_fallback", sni, None, 1))
                    break
    return pats


def fleet(ck, bin_, caps, views):
    path = os.path.join(caps, "fleet.pcap")
    if not os.path.exists(path):
        return
    view = views.get(path) or tshark_view(path)
    want = expected_patterns(view)
    _, out = run(bin_, "-T", "json", "-q", "--group", path)
    got = set()
    for r in [json.loads(l) for l in out.splitlines() if l.strip()]:
        if r.get("type") != "pattern":
            continue
        srv = endpoint(r["server"]) if r.get("server") else None
        n = {"server_failing": r.get("failed"), "failures_began": r.get("failed_since"),
             "certificates": len(r.get("certificates", [])),
             "version_fallback": r.get("clients")}[r["pattern"]]
        got.add((r["pattern"], r["sni"], srv, n))
    ck.check("fleet.pcap: the patterns tshark's view gives", got == want,
             "tlsdiag %s, expected %s" % (sorted(got, key=str), sorted(want, key=str)))
    kinds = {p[0] for p in want}
    ck.check("fleet.pcap: all four patterns are in the capture",
             kinds == {"server_failing", "certificates", "version_fallback", "failures_began"}, kinds)
    # group rows: per (SNI, server) the failures, clients, first time
    _, out = run(bin_, "-T", "json", "-q", "--group", path)
    rows = [json.loads(l) for l in out.splitlines() if '"type":"group"' in l]
    fails = defaultdict(list)
    for c in view.values():
        if c["ch"] and c["fatal"]:
            fails[(c["sni"], c["server"])].append(c)
    got_rows = {(r["sni"], endpoint(r["server"])): r for r in rows}
    ck.check("fleet.pcap: one group per failing (SNI, server)", set(got_rows) == set(fails),
             (sorted(got_rows), sorted(fails)))
    for k, cs in fails.items():
        r = got_rows.get(k)
        if not r:
            continue
        first = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(min(c["first"] for c in cs)))
        ck.check("fleet.pcap %s: count, clients, first" % (k,),
                 r["count"] == len(cs) and r["clients"] == len({c["client"][0] for c in cs}) and
                 r["first"].startswith(first), (r, len(cs)))


# One of each kind the full set holds (the default run must stay short).
SUBSET = ["mixed.pcap", "fleet.pcap", "tls12_no_shared_cipher_ipv6.pcap", "tls12_ok_vlan.pcap",
          "quic_no_shared_cipher.pcap",
          "tls12_unknown_ca_sll2.pcap", "tls13_hrr_ok.pcap", "tls12_resumed.pcap",
          "tls12_dhe_ok.pcap", "tls12_midstream.pcap", "tls12_gap.pcap", "tls12_ecdsa_ok.pcap"]


def main():
    args = sys.argv[1:]
    every = "--all-captures" in args
    args = [a for a in args if a != "--all-captures"]
    bin_, caps = args
    if not shutil.which("tshark"):
        print("tshark not found: skipped")
        return 77
    ck = Checks()
    views = {}
    paths = sorted(glob.glob(os.path.join(caps, "*.pcap"))) if every else \
        [os.path.join(caps, c) for c in SUBSET if os.path.exists(os.path.join(caps, c))]
    for path in paths:
        views[path] = tshark_view(path)
        check_capture(ck, bin_, path, views[path])
    confirm(ck, bin_, caps)
    display_filters(ck, bin_, caps, views)
    fleet(ck, bin_, caps, views)
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
