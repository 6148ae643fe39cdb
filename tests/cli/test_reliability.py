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
rc0, out0, _ = run("-f", "json", "--all", src)
rc, out, err = run("-f", "json", "--all", far)
want = [(o["outcome"], o.get("version"), o.get("cipher")) for o in reports(out0)]
got = [(o["outcome"], o.get("version"), o.get("cipher")) for o in reports(out)]
check("pcapng after 2262: same verdicts as the original", rc == rc0 and got == want and want,
      (rc, rc0, got, want, err[-300:]))

shutil.rmtree(tmp, ignore_errors=True)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
