#!/usr/bin/env python3
"""What tlsdiag extracts from each handshake must be what tshark decodes.

usage: tests/e2e/run_fields.py [--bin-arg ARG] BIN CAPTURES_DIR
       tests/e2e/run_fields.py --agree-public [--agree-tool PATH] [--public DIR] BIN CAPTURES_DIR

Default mode: for every capture in CAPTURES_DIR, runs `BIN -T json --all F`
and reads the same file with tshark 4.0 (`-T fields`, out-of-order
reassembly on, every server port -- the destination of a SYN -- decoded as
TLS with -d, because tshark knows TLS only on registered ports and its
heuristics: 44321/44322 are pmcd/pmproxy to it). Connections are matched by
their two endpoints. Per connection in which tshark decodes a ClientHello
(its sender is the client), one check per fact:

  sni               the first ClientHello's server_name (or null);
  versions_offered  its supported_versions minus GREASE, else its legacy
                    version, named as `tshark -G values` names them;
  version, cipher   the last ServerHello's (a HelloRetryRequest comes first):
                    supported_versions, else its legacy version; the suite's
                    IANA name from `tshark -G values`; both null without one;
  client_hello.size the first ClientHello's handshake length;
  suites offered    the number of non-GREASE suites in the first ClientHello
                    against the count in tlsdiag's JA4 (t13d<suites><exts>..),
                    and its extension count (non-GREASE) and SNI flag (d/i),
                    and the suites themselves, in order, against
                    client_hello.cipher_suites (IANA names);
  alert             when tshark decodes plaintext alerts, tlsdiag's alert is
                    the first fatal one (else the first): sender, code, level,
                    encrypted false. Otherwise it is null, or encrypted with
                    code null from a side that sent an alert record tshark
                    cannot read (TLS 1.0-1.2) or protected records (TLS 1.3,
                    where an alert looks like application data); and when
                    tshark shows an unreadable alert record and no plaintext
                    one, tlsdiag reports an encrypted alert from the sender of
                    the first such record.
A ClientHello that tshark flags as malformed (expert group Malformed) only
has its size and the alert checked: what a parser extracts from a broken
vector is not comparable. Connections without a ClientHello in tshark
(mid-stream starts, plain text clients) must have sni null and no
versions_offered.

--agree-public: runs the shared tool tshark-agree (--agree-tool,
$TLSDIAG_TSHARK_AGREE, ../shared/tools/tshark-agree beside the repository,
/work/shared/tools/tshark-agree; skipped when absent) over CAPTURES_DIR/*.pcap
and over the public captures (--public, ../shared/captures-public,
/work/shared/captures-public; that part skipped when absent) and asserts that
each agreement figure ("tshark agreement: A/N facts") stays at or above the
floor measured below. tshark's answers are cached in /tmp by the tool.

Prints one line per failed check and ends with "N passed, N failed"; exits 1
when a check failed, 77 (skipped) when tshark is not installed.
"""
import argparse, glob, json, os, re, subprocess, sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from xcheck import captures, parse_or_skip  # noqa: E402
import tshark_view  # noqa: E402

# Agreement floors for --agree-public, measured with tshark 4.0.17:
#   captures/*.pcap:  every fact -> floor 1.0
#   captures-public (2026-12-02): 4187/4196 facts = 99.8 % (connection 1183/1185,
#                     sni 987/987, version 1001/1004, cipher 1000/1004, alert 16/16)
#                     -> floor 0.997. The misses, each checked against the packets
#                     (README, "Real-world captures"):
#                     - many_interfaces-1.pcapng: two connections on a second
#                       interface of another link type (libpcap refuses the file
#                       there; the native pcapng reader reads it);
#                     - tls13_draft14.pcap, chrome-63 canary: tshark names 0xacad /
#                       0x7e01 where tlsdiag reads a draft-14 ServerHello and names
#                       Chrome's TLS 1.3 experiment version;
#                     - arkime_synthetic.pcap: synthetic ServerHellos that do not
#                       parse (a 1-byte supported_versions; TLS 1.3 suites in TLS 1.2
#                       hellos), which tshark decodes loosely.
FLOOR_OWN = 1.0
FLOOR_PUBLIC = 0.997

# Disagreements checked against the packets and reported, where tlsdiag is
# wrong: (capture, fact) -> why. Such a check prints KNOWN instead of FAIL;
# once tlsdiag agrees the check fails, to get the entry removed.
KNOWN = {
}

MALFORMED_GROUP = "117440512"   # PI_MALFORMED (0x07000000) in _ws.expert.group
LEVELS = {1: "warning", 2: "fatal"}

def grease(v):
    return (v & 0x0F0F) == 0x0A0A and (v >> 8) == (v & 0xFF)


def ints(s):
    return [int(x, 0) for x in s.split(",") if x]


class Tshark:
    def __init__(self):
        vals = tshark_view.values("tls.handshake.ciphersuite",
                                  "tls.handshake.extensions.supported_version",
                                  "tls.handshake.version")
        # The pre-RFC 7905 ChaCha20-Poly1305 code points 0xcc13-0xcc15 (draft-agl, never
        # assigned by IANA; wolfSSL 5.5 still offers them) carry the RFC names of
        # 0xcca8-0xccaa in tshark 4.0; tlsdiag names IANA suites only and prints them in
        # hex (src/tls_names.tsv), so they are compared in hex.
        self.suites = {k: v for k, v in vals["tls.handshake.ciphersuite"].items()
                       if not 0xcc13 <= k <= 0xcc15}
        self.versions = vals["tls.handshake.extensions.supported_version"]
        self.versions.update({k: v for k, v in vals["tls.handshake.version"].items()
                              if k not in self.versions})

    def vname(self, v):
        return self.versions.get(v, "0x%04x" % v)

    def connections(self, path):
        """{frozenset(endpoints): facts} for every TCP stream with TLS records (the
        destination ports of SYNs decoded as TLS)."""
        ports = tshark_view.syn_ports(tshark_view.frames(path))
        conns = {}
        for v in tshark_view.tls(path, ports):
            src = ((v["ip.src"] or v["ipv6.src"]).split(",")[-1], int(v["tcp.srcport"]))
            dst = ((v["ip.dst"] or v["ipv6.dst"]).split(",")[-1], int(v["tcp.dstport"]))
            c = conns.setdefault(frozenset([src, dst]), {
                "ch": None, "sh": None, "alerts": [], "enc_alerts": [], "opaque": set()})
            self.frame(c, v, src)
        return conns

    def frame(self, c, v, src):
        types = ints(v["tls.handshake.type"])
        lengths = ints(v["tls.handshake.length"])
        hello_versions = ints(v["tls.handshake.version"])   # CH and SH carry one each
        hellos = [t for t in types if t in (1, 2)]
        sv = ints(v["tls.handshake.extensions.supported_version"])
        suites = ints(v["tls.handshake.ciphersuite"])
        malformed = MALFORMED_GROUP in v["_ws.expert.group"].split(",") or bool(v["_ws.malformed"])
        if 1 in types and c["ch"] is None:
            i = types.index(1)
            legacy = hello_versions[hellos.index(1)] if len(hello_versions) > hellos.index(1) else None
            alone = types == [1]
            c["ch"] = {
                "client": src, "frame": v["frame.number"], "malformed": malformed,
                "sni": (v["tls.handshake.extensions_server_name"].split(",")[0] or None) if alone else "?",
                "versions": ([self.vname(x) for x in sv if not grease(x)] or
                             ([self.vname(legacy)] if legacy is not None else [])) if alone else "?",
                "length": lengths[i] if len(lengths) > i else None,
                "suites": len([x for x in suites if not grease(x)]) if alone else None,
                "suite_names": [self.suites.get(x, "0x%04x" % x) for x in suites
                                if not grease(x)] if alone else None,
                "exts": len([x for x in ints(v["tls.handshake.extension.type"]) if not grease(x)])
                if alone else None,
            }
        if 2 in types and not (1 in types):
            j = hellos.index(2)
            legacy = hello_versions[j] if len(hello_versions) > j else None
            ver = sv[-1] if sv else legacy
            c["sh"] = {"version": self.vname(ver) if ver is not None else None,
                       "cipher": self.suites.get(suites[-1], "0x%04x" % suites[-1]) if suites else None}
        levels, descs = ints(v["tls.alert_message.level"]), ints(v["tls.alert_message.desc"])
        for lvl, desc in zip(levels, descs):
            c["alerts"].append((src, lvl, desc))
        unread = ints(v["tls.record.content_type"]).count(21) - len(descs)
        if unread > 0:
            c["enc_alerts"].append(src)
        if ints(v["tls.record.opaque_type"]):
            c["opaque"].add(src)


def ours(bin_, path, extra):
    p = subprocess.run([bin_, "-T", "json", "--all"] + extra + [path],
                       capture_output=True, text=True, timeout=120)
    if p.returncode not in (0, 1):
        raise RuntimeError("tlsdiag exit %d: %s" % (p.returncode, p.stderr.strip()[-300:]))
    out = defaultdict(list)
    for line in p.stdout.splitlines():
        if line.startswith("{"):
            o = json.loads(line)
            # TLS over TCP here; QUIC and DTLS have tests of their own.
            if "outcome" in o and o.get("transport", "tcp") == "tcp":
                cl = (o["client"]["ip"], o["client"]["port"])
                sv = (o["server"]["ip"], o["server"]["port"])
                out[frozenset([cl, sv])].append(o)
    return out


JA4 = re.compile(r"^[tqd][0-9a-z]{2}([di])(\d\d)(\d\d)")


def expected_alert(c, client):
    """(kind, sender, level, code): kind 'plain', 'enc' or None."""
    def who(src):
        return "client" if src == client else "server"
    if c["alerts"]:
        fatal = [a for a in c["alerts"] if a[1] == 2]
        src, lvl, desc = (fatal or c["alerts"])[0]
        return ("plain", who(src), LEVELS.get(lvl, lvl), desc)
    if c["enc_alerts"]:
        return ("enc", who(c["enc_alerts"][0]), None, None)
    return (None, None, None, None)


class Checks:
    """Counts checks; a failure listed in KNOWN prints KNOWN and is not counted,
    and a KNOWN entry whose capture was checked without that failure fails."""

    def __init__(self):
        self.passed = self.failed = self.known = 0
        self.capture = None
        self.checked, self.hit = set(), set()

    def ok(self, fact=None):
        self.passed += 1

    def fail(self, msg, fact=None):
        key = (self.capture, fact)
        if key in KNOWN:
            self.hit.add(key)
            self.known += 1
            print("KNOWN %s (%s)" % (msg, KNOWN[key]), flush=True)
            return
        self.failed += 1
        print("FAIL " + msg, flush=True)

    def finish(self):
        for key in sorted(set(KNOWN) - self.hit):
            if key[0] in self.checked:
                self.fail("%s %s: now agrees with tshark; remove it from KNOWN in %s"
                          % (key[0], key[1], os.path.basename(__file__)))
        if self.known:
            print("%d known disagreement(s), see KNOWN in %s"
                  % (self.known, os.path.basename(__file__)))


def check_conn(ck, where, o, c):
    ch, sh = c["ch"], c["sh"]

    def fact(name, got, want):
        if got == want:
            ck.ok(name)
        else:
            ck.fail("%s %s: tlsdiag %s, tshark %s" % (where, name, json.dumps(got), json.dumps(want)),
                    name)

    if ch is None:
        fact("sni", o.get("sni"), None)
        fact("versions_offered", o.get("versions_offered"), [])
    elif not ch["malformed"]:
        if ch["sni"] != "?":
            fact("sni", o.get("sni"), ch["sni"])
            fact("versions_offered", o.get("versions_offered"), ch["versions"])
        ja4 = JA4.match(o.get("ja4") or "")
        if ch["suites"] is not None:
            if not ja4:
                ck.fail("%s ja4: %s, not a JA4 with counts" % (where, json.dumps(o.get("ja4"))),
                        "ja4")
            else:
                fact("cipher suites offered (JA4 count)", int(ja4.group(2)), min(ch["suites"], 99))
                fact("extensions offered (JA4 count)", int(ja4.group(3)), min(ch["exts"], 99))
                fact("SNI flag (JA4)", ja4.group(1), "d" if ch["sni"] else "i")
            # The suites themselves, in order (tlsdiag lists up to 128).
            fact("client_hello.cipher_suites",
                 (o.get("client_hello") or {}).get("cipher_suites"), ch["suite_names"][:128])
    if ch is not None:
        fact("client_hello.size", (o.get("client_hello") or {}).get("size"), ch["length"])
    if ch is not None or sh is not None:
        fact("version", o.get("version"), sh["version"] if sh else None)
        fact("cipher", o.get("cipher"), sh["cipher"] if sh else None)
    client = (o["client"]["ip"], o["client"]["port"])
    kind, sender, level, code = expected_alert(c, client)
    a = o.get("alert")
    if kind == "plain":
        got = (a.get("sender"), a.get("level"), a.get("code"), a.get("encrypted")) if a else None
        fact("alert", got, (sender, level, code, False))
    elif a is None:
        if kind == "enc":
            ck.fail("%s alert: tlsdiag none, tshark shows an unreadable alert record from the %s"
                    % (where, sender), "alert")
        else:
            ck.ok("alert")
    elif not a.get("encrypted") or a.get("code") is not None:
        ck.fail("%s alert: tlsdiag %s, tshark decodes no plaintext alert" % (where, json.dumps(a)),
                "alert")
    else:
        src = client if a.get("sender") == "client" else (o["server"]["ip"], o["server"]["port"])
        if kind == "enc":
            fact("alert", a.get("sender"), sender)
        elif src in c["opaque"]:
            ck.ok("alert")
        else:
            ck.fail("%s alert: tlsdiag an encrypted alert from the %s, tshark shows no alert or "
                    "protected record from it" % (where, a.get("sender")), "alert")


def run_fields(a):
    t = Tshark()
    ck = Checks()
    def both(path):
        try:
            return t.connections(path), ours(a.bin, path, a.bin_arg)
        except (OSError, ValueError, KeyError, RuntimeError, subprocess.TimeoutExpired) as e:
            return e
    files = captures(a.captures)
    for path, r in zip(files, tshark_view.pmap(both, files)):
        name = ck.capture = os.path.basename(path)
        if isinstance(r, Exception):
            ck.fail("%s: %s" % (name, r))
            continue
        theirs, us = r
        ck.checked.add(name)
        for key in sorted(set(theirs) | set(us), key=lambda k: sorted(k)):
            where = "%s %s" % (name, "<->".join("%s:%d" % e for e in sorted(key)))
            c, objs = theirs.get(key), us.get(key, [])
            if c is not None and c["ch"] is not None:
                where = "%s %s:%d" % (name, *c["ch"]["client"])
            if not objs:
                if c is not None and c["ch"] is not None:
                    ck.fail("%s: tshark decodes a ClientHello (frame %s), tlsdiag reports no "
                            "connection" % (where, c["ch"]["frame"]), "connection")
                continue
            if len(objs) > 1:
                ck.fail("%s: %d reports for one tshark conversation (port reuse?)"
                        % (where, len(objs)), "connection")
                continue
            c = c or {"ch": None, "sh": None, "alerts": [], "enc_alerts": [], "opaque": set()}
            check_conn(ck, where, objs[0], c)
    ck.finish()
    return ck.passed, ck.failed


def find_first(*cands):
    for c in cands:
        if c and os.path.exists(c):
            return c
    return None


AGREE = re.compile(r"^tshark agreement: (\d+)/(\d+) facts")


def run_agree(a):
    tool = find_first(a.agree_tool, os.environ.get("TLSDIAG_TSHARK_AGREE"),
                      os.path.join(os.path.dirname(ROOT), "shared", "tools", "tshark-agree"),
                      "/work/shared/tools/tshark-agree")
    if not tool:
        print("tshark-agree not found (--agree-tool, $TLSDIAG_TSHARK_AGREE, ../shared/tools, "
              "/work/shared/tools): skipped")
        return None
    public = find_first(a.public, os.path.join(os.path.dirname(ROOT), "shared", "captures-public"),
                        "/work/shared/captures-public")
    sets = [("captures", sorted(glob.glob(os.path.join(a.captures, "*.pcap"))), FLOOR_OWN)]
    if public:
        files = sorted(p for p in glob.glob(os.path.join(public, "**", "*"), recursive=True)
                       if os.path.isfile(p) and re.search(r"\.(pcap|pcapng|cap)(\.gz)?$", p))
        sets.append(("captures-public", files, FLOOR_PUBLIC))
    else:
        print("note: captures-public not found (--public, ../shared/captures-public, "
              "/work/shared/captures-public): only captures/ checked")
    passed = failed = 0
    def agree_run(files):
        """(agree, total, the tool's other lines) or a failure message."""
        p = subprocess.run([sys.executable, tool, a.bin] + files, capture_output=True, text=True,
                           timeout=1200)
        lines = p.stdout.strip().splitlines()
        m = AGREE.match(lines[-1]) if lines else None
        if not m or int(m.group(2)) == 0:
            return "no agreement figure from tshark-agree (exit %d): %s" % (
                p.returncode, (p.stderr.strip() or p.stdout.strip())[-300:])
        return int(m.group(1)), int(m.group(2)), lines[:-1]

    for label, files, floor in sets:
        # The tool's figure is a sum over files: the files are split between
        # tshark_view.jobs() runs of it and the figures added up.
        n = tshark_view.jobs()
        runs = tshark_view.pmap(agree_run, [files[i::n] for i in range(n) if files[i::n]])
        bad = [r for r in runs if isinstance(r, str)]
        if bad:
            print("FAIL %s: %s" % (label, bad[0]))
            failed += 1
            continue
        agree, total = sum(r[0] for r in runs), sum(r[1] for r in runs)
        lines = [line for r in runs for line in r[2]] + [
            "tshark agreement: %d/%d facts (%d runs of tshark-agree)" % (agree, total, len(runs))]
        print("%s: %s" % (label, lines[-1]))
        if agree / total + 1e-9 >= floor:
            passed += 1
        else:
            failed += 1
            print("FAIL %s: agreement %.4f (%d/%d) below the floor %.4f; the tool said:"
                  % (label, agree / total, agree, total, floor))
            for line in lines[:-1]:
                print("    " + line)
    return passed, failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin-arg", action="append", default=[])
    ap.add_argument("--agree-public", action="store_true")
    ap.add_argument("--agree-tool")
    ap.add_argument("--public")
    ap.add_argument("bin")
    ap.add_argument("captures")
    a = parse_or_skip(ap)
    if a is None:
        return 77
    if a.agree_public:
        r = run_agree(a)
        if r is None:
            print("0 passed, 0 failed")
            return 77
        passed, failed = r
    else:
        passed, failed = run_fields(a)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
