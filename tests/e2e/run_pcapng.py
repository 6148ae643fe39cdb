#!/usr/bin/env python3
"""pcapng files end to end, against tshark and against the same capture read as pcap.

usage: tests/e2e/run_pcapng.py [--public-only] BIN FRAME_DUMP CAPTURES_DIR [PUBLIC_DIR]
(PUBLIC_DIR defaults to ../shared/captures-public beside the repository)

The pcapng files are made here from the bundled captures with Wireshark's own tools
(editcap -F pcapng, editcap --inject-secrets, editcap -a, mergecap, and two files
concatenated: two sections), plus every *.pcapng of PUBLIC_DIR (other projects' files,
e.g. PcapPlusPlus' many_interfaces-1.pcapng whose interfaces have different link types;
skipped when absent). Checks:

- frames: every frame FRAME_DUMP (tests/tools/frame_dump: our capture front end) reads
  has tshark's bytes, captured and wire length, time stamp (ns), interface name and
  packet comment, in tshark's order, and the count is tshark's;
- every bundled capture converted with `editcap -F pcapng` gives the same report lines
  (--format json --all) as the pcap, but for the pcapng-only keys;
- a capture with its key log injected (`editcap --inject-secrets tls,KEYLOG`) gives the
  same report lines as the pcap read with --keylog KEYLOG (whose alerts e2e_keylog_alerts
  compares with tshark's) and, for a few whose alert is protected on the wire
  (DSB_TSHARK), the alerts tshark decrypts from that file alone;
- mergecap of two captures of different link types (Ethernet and LINUX_SLL2) gives, per
  connection, the lines of each capture read alone; a BPF filter keeps one of them; -w
  keeps the packets of both, each with its own link type (as tshark reads them back);
- two sections in one file (cat of two pcapng files) read like the merge;
- packet comments (editcap -a) appear on their connection (TCP and QUIC) with tshark's
  frame numbers;
- the interface of each connection of many_interfaces-1.pcapng is the one tshark names
  for its first packet, and its SNI is tshark's;
- standard input, a pipe and a gzip-compressed pcapng give the file's lines; a truncated
  pcapng exits 2 with a message naming the file and the block offset, after reporting
  the connections read.

Prints one line per failed check and ends with "N passed, N failed"; exits 1 if any
check failed, 77 (skipped) without tshark/editcap/mergecap.
"""
import argparse, glob, gzip, json, os, shutil, subprocess, sys, tempfile
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_e2e import tshark_alerts  # noqa: E402

PCAPNG_ONLY = ("interface", "comments", "comments_total")
# Keys that name the file read (source.name), not the connection.
FILE_NAMED = ("source",)
# Captures whose failure is an alert protected on the wire: with their key log
# injected, tshark decrypts it from the file alone (TLS 1.3 from OpenSSL and
# GnuTLS, TLS 1.2 from OpenSSL).
DSB_TSHARK = ("tls13_client_cert_rejected", "gnutls_cli_unknown_ca", "tls12_gap")
MANY = "PcapPlusPlus/Tests/Pcap++Test/PcapExamples/many_interfaces-1.pcapng"


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def ok(self):
        self.passed += 1

    def fail(self, msg):
        self.failed += 1
        print("FAIL " + msg, flush=True)

    def expect(self, cond, msg):
        if cond:
            self.ok()
        else:
            self.fail(msg)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, timeout=300, **kw)


def tlsdiag(bin_, args, stdin=None):
    """(exit status, report objects, stderr) of BIN --format json --all ARGS."""
    p = run([bin_, "--format", "json", "--all"] + args, input=stdin)
    objs = []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        o = json.loads(line)
        if isinstance(o, dict) and "outcome" in o:
            objs.append(o)
    return p.returncode, objs, p.stderr.decode("utf-8", "replace")


def strip(objs):
    """Report lines without the keys only a pcapng can fill, as sorted JSON texts."""
    return sorted(json.dumps({k: v for k, v in o.items() if k not in PCAPNG_ONLY + FILE_NAMED},
                             sort_keys=True) for o in objs)


def by_port(objs):
    return {o["client"]["port"]: o for o in objs}


# ---- frames against tshark ---------------------------------------------------------

def tshark_frames(path):
    """[(ts_ns or None, caplen, len, iface, comment, hex)] as tshark reads them."""
    out = run(["tshark", "-n", "-r", path, "-T", "json", "-x", "-J", "frame pkt_comment"]).stdout.decode()
    frames = []
    for pkt in json.loads(out or "[]"):
        layers = pkt["_source"]["layers"]
        fr = layers["frame"]
        ts = Decimal(fr["frame.time_epoch"]) * 1000000000
        # tshark shows time stamps before 1970 as huge unsigned values; ours clamp
        ts = int(ts) if ts < 2 ** 63 else None
        iface = fr.get("frame.interface_id_tree", {}).get("frame.interface_name", "")
        comment = layers.get("pkt_comment", {}).get("frame.comment", "")
        if isinstance(comment, list):
            comment = comment[0]
        frames.append((ts, int(fr["frame.cap_len"]), int(fr["frame.len"]),
                       "" if iface == "unknown" else iface, comment, layers["frame_raw"][0]))
    return frames


def our_frames(frame_dump, path):
    p = run([frame_dump, path])
    frames = []
    for line in p.stdout.decode().splitlines():
        _, ts, caplen, wirelen, _dlt, iface, comment, data = line.split(" ")
        frames.append((int(ts), int(caplen), int(wirelen), "" if iface == "-" else iface,
                       "" if comment == "-" else bytes.fromhex(comment).decode("utf-8", "replace"),
                       "" if data == "-" else data))
    return p.returncode, frames, p.stderr.decode()


def check_frames(checks, frame_dump, path, name):
    want = tshark_frames(path)
    rc, got, err = our_frames(frame_dump, path)
    if rc != 0:
        checks.fail("%s: frame_dump exit %d (%s)" % (name, rc, err.strip()))
        return
    if len(got) != len(want):
        checks.fail("%s: %d frames, tshark reads %d" % (name, len(got), len(want)))
        return
    bad = 0
    for i, (w, g) in enumerate(zip(want, got), 1):
        wts, wcap, wlen, wif, wcom, wraw = w
        gts, gcap, glen, gif, gcom, graw = g
        diffs = []
        if wts is not None and wts != gts:
            diffs.append("time %s != %s" % (gts, wts))
        if (gcap, glen) != (wcap, wlen):
            diffs.append("lengths %d/%d != %d/%d" % (gcap, glen, wcap, wlen))
        if gif != wif:
            diffs.append("interface %r != %r" % (gif, wif))
        if gcom != wcom:
            diffs.append("comment %r != %r" % (gcom, wcom))
        if graw != wraw:
            diffs.append("bytes differ")
        if diffs:
            bad += 1
            if bad <= 3:
                checks.fail("%s frame %d: %s (ours != tshark)" % (name, i, "; ".join(diffs)))
    if not bad:
        checks.ok()


# ---- the checks ----------------------------------------------------------------------

def check_converted(checks, a, tmp):
    """Every bundled capture as pcapng: the pcap's lines; with its key log injected:
    tshark's decrypted alerts and the lines of --keylog."""
    made = []
    for pcap in sorted(glob.glob(os.path.join(a.captures, "*.pcap"))):
        name = os.path.basename(pcap)[:-5]
        ng = os.path.join(tmp, name + ".pcapng")
        run(["editcap", "-F", "pcapng", pcap, ng], check=True)
        _, want, _ = tlsdiag(a.bin, [pcap])
        rc, got, err = tlsdiag(a.bin, [ng])
        checks.expect(rc in (0, 1) and strip(got) == strip(want) and want,
                      "%s.pcapng: exit %d, %d lines, differ from the pcap's %d (%s)" % (
                          name, rc, len(got), len(want), err.strip()))
        made.append(ng)
        keylog = pcap[:-5] + ".keylog"
        if not os.path.exists(keylog):
            continue
        dsb = os.path.join(tmp, name + ".dsb.pcapng")
        run(["editcap", "--inject-secrets", "tls," + keylog, pcap, dsb], check=True)
        _, want_kl, _ = tlsdiag(a.bin, ["--keylog", keylog, pcap])
        rc, got, err = tlsdiag(a.bin, [dsb])
        checks.expect(rc in (0, 1) and strip(got) == strip(want_kl),
                      "%s.dsb.pcapng: lines differ from the pcap read with --keylog (%s)" % (
                          name, err.strip()))
        made.append(dsb)
        # tshark decrypting with the secrets embedded in the same file
        if name not in DSB_TSHARK:
            continue
        checks.expect(any((o.get("alert") or {}).get("encrypted") for o in want),
                      "%s: no protected alert any more: pick another for DSB_TSHARK" % name)
        alerts, _ = tshark_alerts(dsb)
        checks.expect(alerts, "%s.dsb.pcapng: tshark decrypts no alert" % name)
        ports = by_port(got)
        for cport, lst in sorted(alerts.items()):
            fatal = [x for x in lst if x[1] == 2]
            sender, _, code = (fatal or lst)[0]
            al = (ports.get(cport) or {}).get("alert") or {}
            checks.expect(al.get("sender") == sender and al.get("code") == code,
                          "%s.dsb.pcapng port %d: tshark decrypts %s alert %d, tlsdiag "
                          "reports %s" % (name, cport, sender, code, json.dumps(al)))
        for cport, o in ports.items():
            al = o.get("alert") or {}
            if al.get("code") is not None and cport not in alerts:
                checks.fail("%s.dsb.pcapng port %d: tlsdiag reads alert %s, tshark none" % (
                    name, cport, al.get("code")))
    return made


def check_multi_link(checks, a, tmp):
    """Two link types in one file (mergecap) and in two sections (cat)."""
    ca = os.path.join(a.captures, "tls12_unknown_ca.pcap")
    sll = os.path.join(a.captures, "tls12_unknown_ca_sll2.pcap")
    merged = os.path.join(tmp, "merged.pcapng")
    run(["mergecap", "-F", "pcapng", "-w", merged, ca, sll], check=True)
    info = run(["capinfos", "-E", merged]).stdout.decode()
    checks.expect("Per packet" in info, "merged.pcapng: capinfos says %r" % info.strip())
    _, one, _ = tlsdiag(a.bin, [ca])
    _, two, _ = tlsdiag(a.bin, [sll])
    rc, got, err = tlsdiag(a.bin, [merged])
    checks.expect(rc == 1 and strip(got) == strip(one + two) and len(got) == 2,
                  "merged.pcapng: exit %d, lines differ from each capture read alone (%s)" % (
                      rc, err.strip()))
    port = one[0]["server"]["port"]
    rc, got, err = tlsdiag(a.bin, ["-r", merged, "tcp port %d" % port])
    checks.expect(strip(got) == strip(one),
                  "merged.pcapng with filter \"tcp port %d\": %d lines, want the first "
                  "capture's (%s)" % (port, len(got), err.strip()))
    sll_port = two[0]["server"]["port"]
    rc, got, err = tlsdiag(a.bin, ["-r", merged, "tcp port %d" % sll_port])
    checks.expect(strip(got) == strip(two),
                  "merged.pcapng with filter \"tcp port %d\": %d lines, want the SLL2 "
                  "capture's (%s)" % (sll_port, len(got), err.strip()))
    # -w keeps both failed connections, each packet with its own link type
    w = os.path.join(tmp, "w.pcapng")
    rc, got, err = tlsdiag(a.bin, ["-w", w, merged])
    out = run(["tshark", "-n", "-r", w, "-T", "fields", "-e", "tcp.srcport",
               "-e", "frame.protocols"]).stdout.decode()
    links = {(int(l.split("\t")[0]), l.split("\t")[1].split(":")[0])
             for l in out.splitlines() if l.split("\t")[0]}
    want_links = {(one[0]["client"]["port"], "eth"), (port, "eth"),
                  (two[0]["client"]["port"], "sll"), (sll_port, "sll")}
    checks.expect(rc == 1 and links == want_links,
                  "merged.pcapng -w: exit %d, (port, link) %s, want %s (%s)" % (
                      rc, sorted(links), sorted(want_links), err.strip()))
    ng = [os.path.join(tmp, n + ".pcapng") for n in ("ca", "sll")]
    for src, dst in zip((ca, sll), ng):
        run(["editcap", "-F", "pcapng", src, dst], check=True)
    sections = os.path.join(tmp, "sections.pcapng")
    with open(sections, "wb") as out:
        for f in ng:
            with open(f, "rb") as inp:
                out.write(inp.read())
    rc, got, err = tlsdiag(a.bin, [sections])
    checks.expect(strip(got) == strip(one + two),
                  "sections.pcapng: lines differ from each capture read alone (%s)" % err)
    return [merged, sections]


def tshark_comments(path):
    """{(src port, dst port): [{"frame": N, "text": T}]} of tshark's packet comments
    (TCP or UDP)."""
    out = run(["tshark", "-n", "-r", path, "-Y", "frame.comment", "-T", "fields",
               "-e", "frame.number", "-e", "frame.comment", "-e", "tcp.srcport",
               "-e", "tcp.dstport", "-e", "udp.srcport", "-e", "udp.dstport"]).stdout.decode()
    want = {}
    for line in out.splitlines():
        num, text, tsp, tdp, usp, udp = line.split("\t")
        key = (int(tsp or usp), int(tdp or udp))
        want.setdefault(key, []).append({"frame": int(num), "text": text})
    return want


def check_comments(checks, a, tmp):
    """Comments on a TLS connection's and a QUIC connection's packets."""
    made = []
    for src, name, comments, reports in (
            ("tls12_unknown_ca.pcap", "comments.pcapng",
             ["4:ClientHello here", "6:second one", "7:third"], 1),
            ("quic_admin_prohibited.pcap", "quic_comments.pcapng", ["1:first Initial"], 1)):
        ng = os.path.join(tmp, name)
        cmd = ["editcap", "-F", "pcapng"]
        for c in comments:
            cmd += ["-a", c]
        run(cmd + [os.path.join(a.captures, src), ng], check=True)
        want = tshark_comments(ng)
        rc, got, err = tlsdiag(a.bin, [ng])
        checks.expect(len(got) == reports and want, "%s: %d reports, tshark comments %r" % (
            name, len(got), want))
        for o in got:
            c, s = o["client"]["port"], o["server"]["port"]
            w = sorted(want.get((c, s), []) + want.get((s, c), []), key=lambda x: x["frame"])
            checks.expect(o["comments"] == w[:4] and o["comments_total"] == len(w) and w,
                          "%s port %d: comments %r, tshark %r" % (name, c, o["comments"], w))
        made.append(ng)
    txt = run([a.bin, made[0]]).stdout.decode()
    checks.expect("comment:    frame 4: ClientHello here" in txt,
                  "comments.pcapng: text report lacks the comment: %s" % txt)
    # Frame numbers are the file's (Wireshark's) even when a capture filter
    # drops the packets before: here the SYN and SYN-ACK (frames 1-2).
    want = tshark_comments(made[0])
    rc, got, err = tlsdiag(a.bin, ["-f", "tcp[tcpflags] & tcp-syn == 0", made[0]])
    for o in got:
        c, s = o["client"]["port"], o["server"]["port"]
        w = sorted(want.get((c, s), []) + want.get((s, c), []), key=lambda x: x["frame"])
        checks.expect(len(got) == 1 and o["comments"] == w[:4] and w,
                      "comments.pcapng -f 'no SYN': comments %r, tshark %r" % (o["comments"], w))
    checks.expect(len(got) == 1, "comments.pcapng -f 'no SYN': %d reports" % len(got))
    return made


def check_many_interfaces(checks, a, path):
    """Interfaces of different link types (libpcap 1.10 refuses the file)."""
    rc, got, err = tlsdiag(a.bin, [path])
    checks.expect(rc in (0, 1) and got, "many_interfaces-1.pcapng: exit %d (%s)" % (
        rc, err.strip()))
    out = run(["tshark", "-n", "-r", path, "-Y", "tls.handshake.type == 1", "-T", "fields",
               "-e", "tcp.srcport", "-e", "frame.interface_name",
               "-e", "tls.handshake.extensions_server_name"]).stdout.decode()
    want = {}
    for line in out.splitlines():
        port, iface, sni = line.split("\t")
        want.setdefault(int(port), (iface, sni))
    ports = by_port(got)
    checks.expect(set(ports) == set(want), "many_interfaces-1.pcapng: connections %s, "
                  "tshark's ClientHellos %s" % (sorted(ports), sorted(want)))
    for port, (iface, sni) in want.items():
        o = ports.get(port) or {}
        checks.expect(o.get("interface") == iface and o.get("sni") == sni,
                      "many_interfaces-1.pcapng port %d: interface %r sni %r, tshark %r %r" % (
                          port, o.get("interface"), o.get("sni"), iface, sni))


def check_streams(checks, a, tmp, ng):
    """Standard input, a pipe, gzip, truncation."""
    _, want, _ = tlsdiag(a.bin, [ng])
    with open(ng, "rb") as f:
        data = f.read()
    rc, got, err = tlsdiag(a.bin, ["-"], stdin=data)
    checks.expect(rc in (0, 1) and strip(got) == strip(want), "pcapng on stdin: %s" % err)
    p = subprocess.run(["bash", "-c", '"$0" --format json --all <(cat "$1")', a.bin, ng],
                       capture_output=True, timeout=120)
    got = [json.loads(l) for l in p.stdout.decode().splitlines() if '"outcome"' in l]
    checks.expect(strip(got) == strip(want), "pcapng through a pipe: %s" % p.stderr.decode())
    gz = os.path.join(tmp, "x.pcapng.gz")
    with gzip.open(gz, "wb") as f:
        f.write(data)
    rc, got, err = tlsdiag(a.bin, [gz])
    checks.expect(strip(got) == strip(want), "gzip-compressed pcapng: %s" % err)
    cut = os.path.join(tmp, "cut.pcapng")
    with open(cut, "wb") as f:
        f.write(data[:len(data) * 3 // 4 + 1])
    rc, got, err = tlsdiag(a.bin, [cut])
    checks.expect(rc == 2 and err.startswith("tlsdiag: " + cut + ": pcapng block at offset ")
                  and "ends inside" in err and got,
                  "truncated pcapng: exit %d, %d reports, stderr %r" % (rc, len(got), err))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--public-only", action="store_true",
                    help="only compare the frames of every public pcapng file but "
                         "many_interfaces-1.pcapng with tshark's (the slow suite)")
    ap.add_argument("bin")
    ap.add_argument("frame_dump")
    ap.add_argument("captures")
    ap.add_argument("public", nargs="?", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared",
        "captures-public"))
    a = ap.parse_args()
    missing = [t for t in ("tshark", "editcap", "mergecap", "capinfos") if not shutil.which(t)]
    if missing:
        print("%s not found: skipped" % " and ".join(missing))
        return 77
    checks = Checks()
    public = []
    if a.public and os.path.isdir(a.public):
        public = sorted(glob.glob(os.path.join(a.public, "**", "*.pcapng"), recursive=True))
    else:
        print("no public captures (%s): their checks are skipped" % a.public)
    many = os.path.join(a.public, MANY) if a.public else ""
    if a.public_only:
        # the slow suite: every other public pcapng file, frame by frame
        for f in public:
            if f != many:
                check_frames(checks, a.frame_dump, f, os.path.relpath(f, a.public))
        print("%d passed, %d failed" % (checks.passed, checks.failed))
        return 1 if checks.failed else 0
    with tempfile.TemporaryDirectory(prefix="tlsd-pcapng-") as tmp:
        made = check_converted(checks, a, tmp)
        made += check_multi_link(checks, a, tmp)
        made += check_comments(checks, a, tmp)
        check_streams(checks, a, tmp, os.path.join(tmp, "tls13_client_cert_rejected.dsb.pcapng"))
        if os.path.exists(many):
            check_many_interfaces(checks, a, many)
            check_frames(checks, a.frame_dump, many, os.path.basename(many))
        # frames: a few made here (every kind of block they hold)
        for f in made:
            if os.path.basename(f) in ("tls12_ok.pcapng", "tls13_ok.dsb.pcapng", "merged.pcapng",
                                       "sections.pcapng", "comments.pcapng",
                                       "tls12_unknown_ca_sll2.pcapng"):
                check_frames(checks, a.frame_dump, f, os.path.basename(f))
    print("%d passed, %d failed" % (checks.passed, checks.failed))
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
