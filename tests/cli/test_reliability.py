#!/usr/bin/env python3
"""Reliability of tlsdiag's inputs and outputs (issue 13): captures at the end
of the clock, outputs that would destroy an input, write errors, options that
used to be accepted silently.

usage: test_reliability.py TLSDIAG CAPTURES_DIR
Every capture it needs is made here from the bundled ones (Python's struct:
pcap records re-written as pcapng). Ends with the line 'N passed, N failed'."""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

BIN, CAPS = sys.argv[1], sys.argv[2]
passed = failed = 0
tmp = tempfile.mkdtemp(prefix="tlsdiag-rel-")


def run(*args, stdin=None):
    p = subprocess.run([BIN, *args], input=stdin, capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def pcap_records(path):
    """(linktype, [(ts_ns, caplen, wirelen, data)]) of a classic pcap."""
    with open(path, "rb") as f:
        d = f.read()
    magic = struct.unpack("<I", d[:4])[0]
    nano = magic == 0xA1B23C4D
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), path
    linktype = struct.unpack("<I", d[20:24])[0]
    out, pos = [], 24
    while pos + 16 <= len(d):
        sec, frac, cap, wire = struct.unpack("<IIII", d[pos:pos + 16])
        out.append((sec * 10**9 + (frac if nano else frac * 1000), cap, wire,
                    d[pos + 16:pos + 16 + cap]))
        pos += 16 + cap
    return linktype, out


def opt(code, value):
    pad = (4 - len(value) % 4) % 4
    return struct.pack("<HH", code, len(value)) + value + b"\0" * pad


def block(btype, body):
    return struct.pack("<II", btype, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))


def pcapng(path, interfaces, packets):
    """interfaces: [linktype]; packets: [(interface, ts_ns, caplen, wirelen, data)],
    nanosecond timestamps (if_tsresol 9)."""
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    for lt in interfaces:
        out += block(1, struct.pack("<HHI", lt, 0, 262144) + opt(9, b"\x09") + opt(0, b""))
    for ifc, ts, cap, wire, data in packets:
        pad = (4 - len(data) % 4) % 4
        out += block(6, struct.pack("<IIIII", ifc, ts >> 32, ts & 0xFFFFFFFF, cap, wire) +
                     data + b"\0" * pad)
    with open(path, "wb") as f:
        f.write(out)


def reports(out):
    return [json.loads(l) for l in out.splitlines() if l.startswith("{") and '"outcome"' in l]


# --- Time: nanosecond pcapng after 2262 (past INT64_MAX ns): tlsdiag clamps it,
# and the idle timeout, linger and fragment clocks added to it saturate (UBSan
# found the overflow; this test fails under -Db_sanitize=undefined before).
src = os.path.join(CAPS, "tls13_ok.pcap")
lt, recs = pcap_records(src)
far = os.path.join(tmp, "year2300.pcapng")
base = 10_400_000_000 * 10**9                      # year 2299, in ns (fits in u64)
pcapng(far, [lt], [(0, base + ts - recs[0][0], c, w, d) for ts, c, w, d in recs])
rc0, out0, _ = run("-T", "json", "--all", src)
rc, out, err = run("-T", "json", "--all", far)
want = [(o["outcome"], o.get("version"), o.get("cipher")) for o in reports(out0)]
got = [(o["outcome"], o.get("version"), o.get("cipher")) for o in reports(out)]
check("pcapng after 2262: same verdicts as the original", rc == rc0 and got == want and want,
      (rc, rc0, got, want, err[-300:]))


def tshark_conns(path):
    """{frozenset of the two ports: [(src port, flags, tcp.len, time)]} as tshark reads it."""
    out = subprocess.run(["tshark", "-r", path, "-T", "fields", "-e", "tcp.srcport",
                          "-e", "tcp.dstport", "-e", "tcp.flags", "-e", "tcp.len",
                          "-e", "frame.time_epoch"], capture_output=True, text=True).stdout
    d = {}
    for line in out.splitlines():
        v = line.split("\t")
        if len(v) == 5 and v[0]:
            d.setdefault(frozenset([int(v[0]), int(v[1])]), []).append(
                (int(v[0]), v[2], v[3], v[4]))
    return d


def sha(path):
    import hashlib
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


mixed = os.path.join(CAPS, "mixed.pcap")

# --- An output that is the same file as an input is refused before anything is
# opened for writing (device and inode, not the name).
for flag in ("-o", "-w"):
    victim = os.path.join(tmp, "victim%s.pcap" % flag)
    shutil.copyfile(mixed, victim)
    before = sha(victim)
    alias = os.path.join(tmp, "alias%s.pcap" % flag)
    os.link(victim, alias)                       # another name, same inode
    rc, out, err = run(flag, alias, victim)
    check("%s onto the input refused" % flag, rc == 2 and "same file" in err, (rc, err))
    check("%s onto the input leaves it intact" % flag, sha(victim) == before)
    rc, out, err = run(flag, os.path.join(tmp, ".", os.path.basename(victim)), "-r", victim)
    check("%s onto the -r input refused" % flag, rc == 2 and sha(victim) == before, (rc, err))
keys = os.path.join(tmp, "keys.log")
shutil.copyfile(os.path.join(CAPS, "mixed.keylog"), keys)
rc, out, err = run("-o", keys, "--keylog", keys, mixed)
check("-o onto the key log refused", rc == 2 and os.path.getsize(keys) > 0, (rc, err))

# --- -w write errors are exit 2 with a message naming the path once.
rc, out, err = run("-w", "/dev/full", mixed)
check("-w /dev/full -> 2", rc == 2, (rc, err))
check("-w /dev/full says so once", err.count("/dev/full") == 1 and "space" in err.lower(), err)
rc, out, err = run("-w", os.path.join(tmp, "no", "such", "dir.pcap"), mixed)
check("-w into a missing folder -> 2, path once",
      rc == 2 and err.count("no/such/dir.pcap") == 1, (rc, err))

# --- -w keeps every packet of a failed connection (the RST too), in capture
# order, and the evidence read back gives the same verdicts.
ev = os.path.join(tmp, "evidence.pcap")
rc, out, err = run("-T", "json", "-w", ev, mixed)
failed_ = {o["client"]["port"]: o for o in reports(out) if o["outcome"] == "failed"}
rc2, out2, err2 = run("-T", "json", "--all", ev)
back = {o["client"]["port"]: o for o in reports(out2)}
for port, o in sorted(failed_.items()):
    b = back.get(port, {})
    same = all(o.get(k) == b.get(k) for k in ("outcome", "failed_step", "termination", "alert"))
    check("-w evidence of port %d read back: same verdict" % port, same,
          (o.get("termination"), b.get("termination")))
orig, got = tshark_conns(mixed), tshark_conns(ev)
for key, pkts in got.items():
    want = orig.get(key, [])
    # All of the connection's packets up to its close; only the last ACK that
    # follows both FINs (after the report) may be missing.
    rest = want[len(pkts):]
    check("-w packets of %s in order, none missing" % sorted(key),
          pkts == want[:len(pkts)] and
          (not rest or (len(rest) == 1 and rest[0][1] == "0x0010" and rest[0][2] == "0")),
          (len(pkts), len(want), rest))
times = subprocess.run(["tshark", "-r", ev, "-T", "fields", "-e", "frame.time_epoch"],
                       capture_output=True, text=True).stdout.split()
check("-w packets in capture-time order", times and times == sorted(times, key=float), times[:5])

# Two failed connections at the same time (their packets interleaved, as in a
# busy capture): the evidence keeps the capture's order, not one connection
# after the other.
lt_a, ra = pcap_records(os.path.join(CAPS, "tls12_no_shared_cipher.pcap"))
lt_b, rb = pcap_records(os.path.join(CAPS, "tls13_unknown_ca.pcap"))
t0 = ra[0][0]
both = sorted([r for r in ra] + [(t0 + 150_000 + ts - rb[0][0], c, w, d) for ts, c, w, d in rb],
              key=lambda r: r[0])
inter = os.path.join(tmp, "interleaved.pcap")
with open(inter, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, lt_a))
    for ts, c, w, d in both:
        f.write(struct.pack("<IIII", ts // 10**9, ts % 10**9, c, w) + d)
ev2 = os.path.join(tmp, "evidence2.pcap")
rc, out, err = run("-T", "json", "-w", ev2, inter)
check("interleaved: two failed connections", rc == 1 and len(reports(out)) == 2, (rc, err))
times = subprocess.run(["tshark", "-r", ev2, "-T", "fields", "-e", "frame.time_epoch"],
                       capture_output=True, text=True).stdout.split()
orig_times = subprocess.run(["tshark", "-r", inter, "-T", "fields", "-e", "frame.time_epoch"],
                            capture_output=True, text=True).stdout.split()
check("interleaved: -w in capture order, every packet but final ACKs",
      times == sorted(times, key=float) and len(orig_times) - 2 <= len(times) <= len(orig_times),
      (len(times), len(orig_times), times[:8]))

# --- -w with two link types writes pcapng with one interface per link type:
# tshark reads every packet with its own link type.
two = os.path.join(tmp, "two.pcapng")
sll2 = os.path.join(CAPS, "tls12_unknown_ca_sll2.pcap")
rc, out, err = run("-T", "json", "-w", two, mixed, sll2)
n_failed = len([o for o in reports(out) if o["outcome"] == "failed"])
protos = subprocess.run(["tshark", "-r", two, "-T", "fields", "-e", "frame.protocols",
                         "-e", "frame.interface_id"], capture_output=True, text=True).stdout.split("\n")
eth = [l for l in protos if l.startswith("eth:")]
sll = [l for l in protos if l.startswith("sll:")]
check("-w with two link types: pcapng, each packet with its own",
      rc == 1 and n_failed >= 2 and eth and sll and
      {l.split("\t")[1] for l in eth} != {l.split("\t")[1] for l in sll},
      (rc, err, len(eth), len(sll)))
with open(two, "rb") as f:
    check("-w writes pcapng", f.read(4) == b"\x0a\x0d\x0d\x0a")

# --- -r A -r B reads both, in order.
rc, out, err = run("-T", "json", "--all", "-r", mixed, "-r", src)
rc1, out1, _ = run("-T", "json", "--all", mixed, src)
check("-r A -r B reads both", len(reports(out)) == len(reports(out1)) > len(reports(run(
    "-T", "json", "--all", src)[1])), (len(reports(out)), len(reports(out1))))

# --- Options that used to be accepted silently.
for args, what in ((["--ca-path", "/nonexistent-tlsdiag"], "nonexistent-tlsdiag"),
                   (["-Z", "nobody"], "-Z"),
                   (["--ports", "443,,80"], "--ports"), (["--ports", "443,"], "--ports"),
                   (["-c", " 5"], "-c"), (["-c", "+5"], "-c"), (["-c", "-5"], "-c"),
                   (["--reasm-mem", "0"], "--reasm-mem"), (["--snap-flow", "0"], "--snap-flow"),
                   (["--max-flows", " 7"], "--max-flows")):
    rc, out, err = run(*args, mixed)
    check("%s -> 2" % " ".join(args), rc == 2 and what in err, (rc, err))
rc, out, err = run("-i", "", "--duration", "1")
check("-i '' -> 2", rc == 2 and "-i" in err, (rc, err))

# --- Records whose captured length exceeds their length on the wire: a warning
# that the file is damaged, and the counter.
lt, recs = pcap_records(src)
bad = os.path.join(tmp, "caplen.pcap")
with open(bad, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, lt))
    for i, (ts, c, w, d) in enumerate(recs):
        f.write(struct.pack("<IIII", ts // 10**9, ts % 10**9 // 1000, c,
                            w - 10 if i == 3 else w))
        f.write(d)
rc, out, err = run("-T", "json", "--stats", bad)
stats = [json.loads(l)["stats"] for l in out.splitlines() if l.startswith('{"stats"')]
check("caplen > len: warning names the file", "damaged" in err and "caplen.pcap" in err, err)
check("caplen > len: counted", stats and sum(stats[0]["anomalies"].values()) >= 1, stats)

# --- A pipe that goes quiet (`tcpdump -w - | tlsdiag -`): the reports of what
# came so far are out within the idle bound (0.1 s), also from worker threads
# (which used to hold them until a batch of 1,024 packets filled or the input
# ended), for pcap and pcapng alike; then the rest of the run is unchanged.
import select
import time

notls = os.path.join(CAPS, "client_not_tls.pcap")
lt, recs = pcap_records(notls)
notls_ng = os.path.join(tmp, "client_not_tls.pcapng")
pcapng(notls_ng, [lt], [(0, ts, c, w, d) for ts, c, w, d in recs])
for path in (notls, notls_ng):
    with open(path, "rb") as f:
        data = f.read()
    for threads in ("1", "2"):
        rc0, out0, _ = run("--threads", threads, "-T", "json", "-", stdin=data)
        p = subprocess.Popen([BIN, "--threads", threads, "-T", "json", "-"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        p.stdin.write(data)
        p.stdin.flush()
        t0, early = time.time(), b""
        while time.time() - t0 < 5 and b"\n" not in early:
            ready, _, _ = select.select([p.stdout], [], [], 0.2)
            if ready:
                chunk = os.read(p.stdout.fileno(), 65536)
                if not chunk:
                    break
                early += chunk
        waited = time.time() - t0
        rest, err = p.communicate(timeout=60)  # closes stdin: the input ends
        name = "pipe left open, %s, --threads %s" % (os.path.basename(path), threads)
        check(name + ": report before the input ends", b"\n" in early and waited < 5,
              (waited, early[:200], err[-300:]))
        check(name + ": same output as the file", (early + rest).decode() == out0 and
              p.returncode == rc0, ((early + rest)[:300], out0[:300], p.returncode, rc0))

shutil.rmtree(tmp, ignore_errors=True)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
