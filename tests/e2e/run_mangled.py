#!/usr/bin/env python3
"""tlsdiag must report a re-segmented, reordered, duplicated capture exactly like the original.

usage: tests/e2e/run_mangled.py [--mangle PATH] [--seeds 1,2,3] [--bin-arg ARG] BIN CAPTURES_DIR

For each Ethernet (or raw IP) capture in CAPTURES_DIR, runs the shared tool mangle-pcap
(cuts every TCP data segment into 1-4 pieces, shuffles the pieces within each run of one
direction's data packets, sends about 15% twice; the byte streams do not change) with
each seed, then runs `BIN --format json --all` on the original and on the mangled copy and
asserts that the JSON reports are the same once the "ts" and "duration" fields are removed
(at any depth; --ignore adds keys, e.g. client_hello.segments, which counts segments and so
changes with the segmentation by design). The order of the report lines is not asserted (a note is printed when it
differs).

mangle-pcap is looked for at --mangle, $TLSDIAG_MANGLE_PCAP, ../shared/tools/mangle-pcap
beside the repository, /work/shared/tools/mangle-pcap; if there is none the run is
skipped with a message (exit 0). Prints one line per failed check and ends with the line
"N passed, N failed"; exits 1 if any check failed.
"""
import argparse, glob, json, os, re, shutil, struct, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tshark_view  # noqa: E402  (pmap)
ROOT = os.path.dirname(os.path.dirname(HERE))
MANGLEABLE = {1, 101, 228, 229}          # EN10MB, RAW, IPV4, IPV6

def find_mangle(opt):
    cands = [opt, os.environ.get("TLSDIAG_MANGLE_PCAP"),
             os.path.join(os.path.dirname(ROOT), "shared", "tools", "mangle-pcap"),
             "/work/shared/tools/mangle-pcap"]
    for c in cands:
        if c and os.path.isfile(c):
            return c
    return None

def mangle_copy(mangle, path, tmp, seed):
    """(TMP/NAME.SEED.pcap, None), or (None, why) when mangle-pcap failed."""
    out = os.path.join(tmp, "%s.%s.pcap" % (os.path.basename(path).rsplit(".", 1)[0], seed))
    m = subprocess.run([sys.executable, mangle, path, out, seed], capture_output=True, text=True)
    if m.returncode != 0:
        return None, "FAIL %s seed %s: mangle-pcap: %s" % (os.path.basename(path), seed,
                                                           m.stderr.strip())
    return out, None

def linktype(path):
    with open(path, "rb") as f:
        h = f.read(24)
    if len(h) < 24:
        return None
    magic = struct.unpack("<I", h[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        return struct.unpack("<I", h[20:24])[0] & 0x0FFFFFFF
    if magic in (0xD4C3B2A1, 0x4D3CB2A1):
        return struct.unpack(">I", h[20:24])[0] & 0x0FFFFFFF
    return None                           # pcapng or not a capture

# Timing and how the stream was cut into segments change with the mangling
# by design; every verdict, alert, cause and wire fact must not.
# id is made from ts, duration_us is duration, source names the file read.
# A run of retransmissions is spread over the run's time span like any run of
# data packets, so the hello can be complete at another time in the copy:
# time_to_failure and the facts measured in time (keys "*_ms", and durations
# in the evidence text) move with it (large_client_hello_blackhole: the
# server "waited" from the hello's last byte, 4.30 s or 3.37 s).
IGNORE = {"ts", "duration", "client_hello.segments", "id", "duration_us", "source",
          "time_to_failure", "time_to_failure_us"}
DURATION = re.compile(r"\b\d+(\.\d+)? (s|ms|us)\b")

def snap_cut(path):
    """True when some record of a classic pcap holds fewer bytes than were on the wire:
    mangle-pcap rebuilds each packet from its captured bytes, so the copy shows lost
    data where the original shows a snap-length cut, and is not the same capture."""
    with open(path, "rb") as f:
        h = f.read(24)
        if len(h) < 24:
            return False
        e = "<" if struct.unpack("<I", h[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        while True:
            r = f.read(16)
            if len(r) < 16:
                return False
            incl, orig = struct.unpack(e + "II", r[8:16])
            if incl < orig:
                return True
            f.seek(incl, 1)

def strip(obj, path=""):
    """obj without the IGNORE keys (a key name at any depth, or a dotted path)."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            p = path + "." + k if path else k
            if k in IGNORE or p in IGNORE or (".facts." in "." + p and k.endswith("_ms")):
                continue
            out[k] = strip(v, p)
        return out
    if isinstance(obj, list):
        return [strip(v, path) for v in obj]
    if isinstance(obj, str) and path.endswith(("evidence", "text")):
        return DURATION.sub("<time>", obj)
    return obj

def diff(a, b, path=""):
    """[(path, a value, b value)] where two JSON values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            out += diff(a.get(k), b.get(k), path + "." + k if path else k)
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += diff(x, y, "%s[%d]" % (path, i))
        return out
    if isinstance(a, list) and isinstance(b, list) and all(
            isinstance(x, dict) and "code" in x for x in a + b):
        return [(path + "[].code", [x["code"] for x in a], [x["code"] for x in b])]
    return [] if a == b else [(path, a, b)]

def reports(bin_, path, extra, timeout):
    p = subprocess.run([bin_, "--format", "json", "--all"] + extra + [path],
                       capture_output=True, text=True, timeout=timeout)
    if p.returncode < 0:
        raise RuntimeError("killed by signal %d" % -p.returncode)
    out = []
    for line in p.stdout.splitlines():
        line = line.strip()
        if not line:
            continue
        obj = json.loads(line)
        if isinstance(obj, dict) and "outcome" in obj:
            out.append(json.dumps(strip(obj), sort_keys=True))
    return out

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mangle")
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--bin-arg", action="append", default=[])
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("--ignore", action="append", default=[],
                    help="also ignore this key (any depth) or dotted path, e.g. "
                         "client_hello.segments (repeatable)")
    ap.add_argument("bin")
    ap.add_argument("captures")
    a = ap.parse_args()
    IGNORE.update(a.ignore)
    mangle = find_mangle(a.mangle)
    if not mangle:
        print("mangle-pcap not found (--mangle, $TLSDIAG_MANGLE_PCAP, ../shared/tools, "
              "/work/shared/tools): skipped")
        print("0 passed, 0 failed")
        return 0
    seeds = [s for s in a.seeds.split(",") if s]
    tmp = tempfile.mkdtemp(prefix="tlsdiag-mangled.")

    def one(path):
        """(passed, failed, log lines) for one capture's mangled copies."""
        name, log = os.path.basename(path), []
        passed = failed = 0
        try:
            want = reports(a.bin, path, a.bin_arg, a.timeout)
        except (OSError, ValueError, RuntimeError, subprocess.TimeoutExpired) as e:
            return 0, 1, ["FAIL %s: tlsdiag on the original: %s" % (name, e)]
        for seed in seeds:
            out, why = mangle_copy(mangle, path, tmp, seed)
            if why:
                log.append(why)
                failed += 1
                continue
            try:
                got = reports(a.bin, out, a.bin_arg, a.timeout)
            except (OSError, ValueError, RuntimeError, subprocess.TimeoutExpired) as e:
                log.append("FAIL %s seed %s: tlsdiag on the mangled copy: %s" % (name, seed, e))
                failed += 1
                continue
            if sorted(got) == sorted(want):
                passed += 1
                if got != want:
                    log.append("note %s seed %s: same reports in another order" % (name, seed))
            else:
                failed += 1
                log.append("FAIL %s seed %s: reports differ from the original's" % (name, seed))
                only_w = [json.loads(x) for x in want if x not in got]
                only_g = [json.loads(x) for x in got if x not in want]
                by_port = {str((o.get("client") or {}).get("port")): o for o in only_g}
                for o in only_w[:5]:
                    port = str((o.get("client") or {}).get("port"))
                    m = by_port.pop(port, None)
                    if m is None:
                        log.append("    port %s: not reported for the mangled copy" % port)
                        continue
                    for where, x, y in diff(o, m)[:8]:
                        log.append("    port %s %s: original %s, mangled %s" % (
                            port, where, json.dumps(x)[:160], json.dumps(y)[:160]))
                for port in list(by_port)[:5]:
                    log.append("    port %s: reported only for the mangled copy" % port)
                keep = os.path.join(tempfile.gettempdir(), os.path.basename(out))
                shutil.copyfile(out, keep)
                log.append("    mangled copy kept as %s" % keep)
            os.unlink(out)
        return passed, failed, log

    files = [p for p in sorted(glob.glob(os.path.join(a.captures, "*.pcap")))
             if linktype(p) in MANGLEABLE and not snap_cut(p)]
    passed = failed = 0
    try:
        for p, f, log in tshark_view.pmap(one, files):
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
