#!/usr/bin/env python3
"""Verdicts on other projects' captures against tests/e2e/public_verdicts.tsv.

usage: run_public_verdicts.py TLSDIAG TABLE [--public DIR]

Each row names a connection of a capture under ../shared/captures-public (by
file and client port) and what its packets prove, decided by reading them with
tshark (see the "why" column), never from tlsdiag's output. Skipped (exit 77)
when the captures are absent."""
import argparse, csv, json, os, subprocess, sys


def default_public():
    here = os.path.dirname(os.path.abspath(__file__))
    for cand in (os.environ.get("TLSDIAG_PUBLIC_CAPTURES"),
                 os.path.join(here, "..", "..", "..", "shared", "captures-public"),
                 "/work/shared/captures-public"):
        if cand and os.path.isdir(cand):
            return cand
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("bin")
    ap.add_argument("table")
    ap.add_argument("--public", default=None)
    a = ap.parse_args()
    public = a.public or default_public()
    if a.public and not os.path.isdir(a.public):
        print("FAIL %s: no such directory" % a.public)
        return 1
    if not public:
        print("captures-public not found: skipped")
        return 77
    rows = [r for r in csv.reader(open(a.table), delimiter="\t")
            if r and not r[0].startswith("#")][1:]
    passed = failed = 0
    cache = {}
    for f, port, nrep, outcome, step, cause, conf, why in rows:
        path = os.path.join(public, f)
        if not os.path.exists(path):
            print("FAIL %s: missing" % f)
            failed += 1
            continue
        if f not in cache:
            p = subprocess.run([a.bin, "-f", "json", "--all", path], capture_output=True,
                               text=True, timeout=120)
            cache[f] = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
        reps = [o for o in cache[f] if "outcome" in o and o.get("client", {}).get("port") == int(port)]
        bad = []
        if nrep != "*" and len(reps) != int(nrep):
            bad.append("%d reports, expected %s" % (len(reps), nrep))
        if reps and nrep != "0":
            o = reps[0]
            d = o["diagnosis"][0] if o["diagnosis"] else {}
            for what, got, want in (("outcome", o["outcome"], outcome),
                                    ("step", o["failed_step"] or "-", step),
                                    ("cause", d.get("code", "-"), cause),
                                    ("confidence", d.get("confidence", "-"), conf)):
                if want != "*" and got != want:
                    bad.append("%s %s, expected %s" % (what, got, want))
        if bad:
            failed += 1
            print("FAIL %s port %s: %s (%s)" % (f, port, "; ".join(bad), why))
        else:
            passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
