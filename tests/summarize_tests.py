#!/usr/bin/env python3
"""Prints one closing line 'N passed, N failed' (and skipped) from meson's
testlog.json, counting the individual checks inside each test where the
test says how many it ran: Check suites ("Checks: N, Failures: F, Errors:
E"), the end-to-end runners ("N passed, N failed") and the fuzz corpus
replays ("replayed N inputs"); any other test counts as one."""
import json
import re
import sys

CHECK = re.compile(r"Checks: (\d+), Failures: (\d+), Errors: (\d+)")
PLAIN = re.compile(r"^(\d+) passed, (\d+) failed", re.M)
REPLAY = re.compile(r"^replayed (\d+) inputs", re.M)

passed = failed = skipped = 0
with open(sys.argv[1]) as f:
    for line in f:
        line = line.strip()
        if not line:
            continue
        r = json.loads(line)
        res = r.get("result", "")
        out = r.get("stdout") or ""
        if res == "SKIP":
            skipped += 1
            continue
        ok = res in ("OK", "EXPECTEDFAIL")
        m_check = CHECK.findall(out)
        m_plain = PLAIN.findall(out)
        m_replay = REPLAY.findall(out)
        if m_check:
            n, fl, er = map(int, m_check[-1])
            passed += n - fl - er
            failed += fl + er
        elif m_plain:
            p, fl = map(int, m_plain[-1])
            passed += p
            failed += fl
        elif m_replay and ok:
            passed += int(m_replay[-1])
        else:
            passed += ok
            failed += not ok
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
