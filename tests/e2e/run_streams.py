#!/usr/bin/env python3
"""The TCP streams tlsdiag reassembles must be the ones tshark reassembles.

usage: tests/e2e/run_streams.py [--mangle PATH] [--seeds 1,2,3] STREAM_DUMP CAPTURES_DIR

STREAM_DUMP is tests/tools/stream_dump (tlsdiag's own capture, decode, flow
table and reassembly stages; it prints each direction's in-order bytes and
gaps). For every capture in CAPTURES_DIR, tshark's stream of every TCP
connection is read with
    tshark -r F -q -o tcp.reassemble_out_of_order:TRUE -z follow,tcp,raw,N
(one line per chunk, in hex; lines of the second node start with a tab; a
hole that tshark knows about is the text "[N bytes missing in capture file]"
in hex) and, per connection and direction, these are asserted:

  1. the connection exists on both sides (same endpoints; the same number of
     connections in the file);
  2. data: the bytes we deliver, gaps left out, are exactly tshark's bytes,
     markers left out;
  3. holes: every "[N bytes missing]" marker of tshark is a gap of N bytes
     of ours at the same place in the data; our other gaps add up to the
     bytes the snap length cut from this direction's segments (frame.len -
     frame.cap_len, at most tcp.len, per frame): tshark's follow silently
     leaves out cut bytes, we declare them (tls13_ok_snaplen);
  4. length: our stream (data + gaps) is as long as the sequence space the
     direction's segments cover, from the SYN + 1 (or, without a SYN, the
     lowest sequence number of a data segment: tls12_midstream) to the
     highest seq + tcp.len.

Then, when mangle-pcap is found (--mangle, $TLSDIAG_MANGLE_PCAP,
../shared/tools/mangle-pcap beside the repository, /work/shared/tools/
mangle-pcap; otherwise this part is skipped with a note), each Ethernet or
raw-IP capture is mangled with each seed (segments cut into pieces, pieces
shuffled, some sent twice: the byte streams do not change) and our streams of
the MANGLED copy are checked by the same rules against tshark's streams of
the ORIGINAL (tshark's own reassembly of a shuffled copy is not the
reference; the claim is that ours rebuilds the original).

One check per connection direction. Prints one line per failed check and
ends with "N passed, N failed"; exits 1 when a check failed, 77 (skipped)
when tshark is not installed.
"""
import argparse, os, re, shutil, subprocess, sys, tempfile
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_mangled import MANGLEABLE, find_mangle, linktype, mangle_copy  # noqa: E402
from xcheck import captures, parse_or_skip  # noqa: E402
import tshark_view  # noqa: E402
MISSING = re.compile(rb"^\[(\d+) bytes missing in capture file\]\x00?$")  # NUL-terminated in 4.0


def endpoint(s):
    """'127.0.0.1:443' or '[::1]:443' -> ('127.0.0.1', 443)."""
    host, port = s.rsplit(":", 1)
    return host.strip("[]"), int(port)


def add_run(runs, kind, val):
    """Appends a data ('d', bytes) or gap ('g', n) run, merging neighbours."""
    if not val:
        return
    if runs and runs[-1][0] == kind:
        runs[-1] = (kind, runs[-1][1] + val)
    else:
        runs.append((kind, val))


def tshark_segments(path):
    """{stream: {sender endpoint: {start, end, cut}}} from the packets' fields."""
    segs = defaultdict(list)
    for v in tshark_view.frames(path):
        if not v.get("tcp.stream") or not v.get("tcp.seq_raw"):
            continue
        src = (v["ip.src"] or v["ipv6.src"], int(v["tcp.srcport"]))
        segs[(int(v["tcp.stream"]), src)].append(
            (v["tcp.flags.syn"] in ("1", "True"), int(v["tcp.seq_raw"]), int(v["tcp.len"] or 0),
             int(v["frame.len"]) - int(v["frame.cap_len"])))
    info = defaultdict(dict)
    for (stream, src), lst in segs.items():
        syn = [s for s in lst if s[0]]
        data = [s for s in lst if s[2] > 0 and not s[0]]
        if syn:
            start = (syn[0][1] + 1) & 0xFFFFFFFF
        elif data:
            start = min(data, key=lambda s: (s[1] - data[0][1] + 2**31) % 2**32)[1]
        else:
            continue
        end = max([0] + [((s[1] - start) % 2**32) + s[2] for s in data])
        cut = sum(min(s[3], s[2]) for s in data)
        info[stream][src] = {"length": end, "cut": cut}
    return info


def tshark_streams(path):
    """[{index, nodes: [ep0, ep1], runs: {ep: [runs]}}] for every TCP stream."""
    idx = sorted({int(v["tcp.stream"]) for v in tshark_view.frames(path) if v["tcp.stream"]})
    streams = []
    if idx:
        cur = None
        for line in tshark_view.follow(path, idx).splitlines():
            if line.startswith("Filter: tcp.stream eq "):
                cur = {"index": int(line.split()[-1]), "nodes": [None, None], "runs": {}}
                streams.append(cur)
            elif cur is None or line.startswith("===") or line.startswith("Follow:"):
                continue
            elif line.startswith("Node 0: ") or line.startswith("Node 1: "):
                ep = endpoint(line[8:].strip())
                cur["nodes"][int(line[5])] = ep
                cur["runs"][ep] = []
            elif line.strip():
                sender = cur["nodes"][1 if line.startswith("\t") else 0]
                data = bytes.fromhex(line.strip())
                m = MISSING.match(data)
                if m:
                    add_run(cur["runs"][sender], "g", int(m.group(1)))
                else:
                    add_run(cur["runs"][sender], "d", data)
    return streams


def our_streams(dump, path):
    """[{client, server, end, guessed, runs: {ep: [runs]}}] in closing order."""
    p = subprocess.run([dump, path], capture_output=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError("stream_dump exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace").strip()))
    pending = defaultdict(lambda: {"c2s": [], "s2c": [], "next": {"c2s": 0, "s2c": 0}, "bad": []})
    flows = []
    for line in p.stdout.decode("ascii").splitlines():
        t = line.split()
        if t[0] in ("D", "G"):
            fl = pending[t[1]]
            off = int(t[3])
            if off != fl["next"][t[2]]:
                fl["bad"].append("%s chunk at offset %d, expected %d" % (t[2], off, fl["next"][t[2]]))
            if t[0] == "D":
                data = bytes.fromhex(t[4]) if len(t) > 4 else b""
                add_run(fl[t[2]], "d", data)
                fl["next"][t[2]] = off + len(data)
            else:
                add_run(fl[t[2]], "g", int(t[4]))
                fl["next"][t[2]] = off + int(t[4])
        elif t[0] == "C":
            fl = pending.pop(t[1], None) or pending.default_factory()   # no data at all
            cl, sv = (t[2], int(t[3])), (t[4], int(t[5]))
            flows.append({"client": cl, "server": sv, "end": t[6], "guessed": t[7] == "1",
                          "runs": {cl: fl["c2s"], sv: fl["s2c"]}, "bad": fl["bad"]})
    if pending:
        raise RuntimeError("flows never closed: %s" % ", ".join(pending))
    return flows


def flatten(runs):
    """(data bytes, {data offset: gap length})"""
    data, gaps = bytearray(), {}
    for kind, v in runs:
        if kind == "d":
            data += v
        else:
            gaps[len(data)] = gaps.get(len(data), 0) + v
    return bytes(data), gaps


def compare_dir(ours, theirs, seg):
    """Problems (strings) between our runs and tshark's runs of one direction."""
    od, og = flatten(ours)
    td, tg = flatten(theirs)
    problems = []
    if od != td:
        n = next((i for i in range(min(len(od), len(td))) if od[i] != td[i]), min(len(od), len(td)))
        problems.append("data differs at data byte %d (ours %d bytes, tshark %d): ours %s, tshark %s"
                        % (n, len(od), len(td), od[n:n + 8].hex() or "-", td[n:n + 8].hex() or "-"))
    extra = dict(og)
    for pos, n in sorted(tg.items()):
        if extra.get(pos) != n:
            problems.append("tshark misses %d bytes after data byte %d; our gap there: %s"
                            % (n, pos, extra.get(pos)))
        extra.pop(pos, None)
    cut = seg["cut"] if seg else 0
    if sum(extra.values()) != cut:
        problems.append("our gaps not known to tshark: %s bytes at %s; the snap length cut %d bytes"
                        % (sum(extra.values()), sorted(extra.items())[:4], cut))
    total = sum(len(v) if k == "d" else v for k, v in ours)
    if seg and total != seg["length"]:
        problems.append("our stream is %d bytes (data + gaps), the segments cover %d"
                        % (total, seg["length"]))
    return problems


def check_file(label, ours, theirs, segs, log):
    """Compares flows; returns (passed, failed); the failures go to LOG (a list)."""
    passed = failed = 0
    by_key = defaultdict(list)
    for t in theirs:
        by_key[frozenset(t["nodes"])].append(t)
    if len(ours) != len(theirs):
        log.append("FAIL %s: %d connections, tshark has %d streams" % (label, len(ours), len(theirs)))
        failed += 1
    for fl in ours:
        key = frozenset([fl["client"], fl["server"]])
        name = "%s %s:%d->%s:%d" % (label, fl["client"][0], fl["client"][1], fl["server"][0],
                                    fl["server"][1])
        if not by_key[key]:
            log.append("FAIL %s: no tshark stream with these endpoints" % name)
            failed += 1
            continue
        t = by_key[key].pop(0)
        for bad in fl["bad"]:
            log.append("FAIL %s: stream_dump: %s" % (name, bad))
            failed += 1
        for d, ep in (("c2s", fl["client"]), ("s2c", fl["server"])):
            problems = compare_dir(fl["runs"][ep], t["runs"].get(ep, []),
                                   segs.get(t["index"], {}).get(ep))
            if problems:
                failed += 1
                for p in problems:
                    log.append("FAIL %s %s (tshark stream %d): %s" % (name, d, t["index"], p))
            else:
                passed += 1
    return passed, failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mangle")
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--mangled-only", action="store_true",
                    help="check only the mangled copies (the originals are checked elsewhere)")
    ap.add_argument("dump")
    ap.add_argument("captures")
    a = parse_or_skip(ap)
    if a is None:
        return 77
    mangle = find_mangle(a.mangle)
    if not mangle:
        print("note: mangle-pcap not found (--mangle, $TLSDIAG_MANGLE_PCAP, ../shared/tools, "
              "/work/shared/tools): mangled copies not checked")
    seeds = [s for s in a.seeds.split(",") if s]
    tmp = tempfile.mkdtemp(prefix="tlsdiag-streams.")

    def one(path):
        """(passed, failed, log lines) for one capture and its mangled copies."""
        name, log = os.path.basename(path), []
        passed = failed = 0
        try:
            theirs, segs = tshark_streams(path), tshark_segments(path)
            if not a.mangled_only:
                ours = our_streams(a.dump, path)
        except (OSError, ValueError, RuntimeError, subprocess.TimeoutExpired) as e:
            return 0, 1, ["FAIL %s: %s" % (name, e)]
        if not a.mangled_only:
            passed, failed = check_file(name, ours, theirs, segs, log)
        if not mangle or linktype(path) not in MANGLEABLE:
            return passed, failed, log
        for seed in seeds:
            out, why = mangle_copy(mangle, path, tmp, seed)
            if why:
                log.append(why)
                failed += 1
                continue
            try:
                ours = our_streams(a.dump, out)
            except (OSError, ValueError, RuntimeError, subprocess.TimeoutExpired) as e:
                log.append("FAIL %s seed %s: %s" % (name, seed, e))
                failed += 1
                continue
            p, f = check_file("%s seed %s" % (name, seed), ours, theirs, segs, log)
            passed += p
            failed += f
            if f:
                keep = os.path.join(tempfile.gettempdir(), os.path.basename(out))
                shutil.copyfile(out, keep)
                log.append("    mangled copy kept as %s" % keep)
            os.unlink(out)
        return passed, failed, log

    passed = failed = 0
    try:
        for p, f, log in tshark_view.pmap(one, captures(a.captures)):
            passed += p
            failed += f
            for line in log:
                print(line)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
