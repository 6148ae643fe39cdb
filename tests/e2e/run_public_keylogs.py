#!/usr/bin/env python3
"""Decryption on other projects' captures: for every key log in the shared
public captures (INDEX.tsv linktype "keylog (text)"), each capture in the same
folder is read by tshark and by tlsdiag with that key log, and every alert
tshark decodes must be the alert tlsdiag reports for that connection (sender
and code; the first fatal one when there are several).

usage: run_public_keylogs.py BIN [PUBLIC_DIR]
PUBLIC_DIR defaults to ../shared/captures-public beside the repository; when it
(or tshark) is absent the test is skipped (exit 77). Ends with 'N passed, N failed'.
"""
import glob
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_e2e  # noqa: E402  (tshark_alerts)

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    bin_ = sys.argv[1]
    public = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        HERE, "..", "..", "..", "shared", "captures-public")
    index = os.path.join(public, "INDEX.tsv")
    if not os.path.exists(index) or not shutil.which("tshark"):
        print("no public captures or no tshark: skipped")
        return 77
    keylogs = []
    with open(index) as f:
        for line in f:
            v = line.rstrip("\n").split("\t")
            if len(v) > 6 and v[6] == "keylog (text)":
                keylogs.append(os.path.join(public, v[0]))
    work = [(key, pcap) for key in keylogs
            for pcap in sorted(glob.glob(os.path.join(os.path.dirname(key), "*.pcap*")))]

    def one(job):
        """(passed, failed, log lines) for one capture read with one key log."""
        key, pcap = job
        try:
            alerts, _ = run_e2e.tshark_alerts(pcap, key)
        except (OSError, RuntimeError, subprocess.SubprocessError):
            return 0, 0, []  # tshark cannot read it: nothing to compare
        if not alerts:
            return 0, 0, []
        p = subprocess.run([bin_, "-f", "json", "--all", "--keylog", key, pcap],
                           capture_output=True, text=True, timeout=120)
        ours = {}
        for l in p.stdout.splitlines():
            o = json.loads(l)
            if "outcome" in o:
                ours.setdefault(o["client"]["port"], o)
        name = os.path.relpath(pcap, public)
        passed = failed = 0
        log = []
        for cport, al in sorted(alerts.items()):
            fatal = [x for x in al if x[1] == 2]
            sender, _, code = (fatal or al)[0]
            o = ours.get(cport)
            got = o.get("alert") if o else None
            if isinstance(got, dict) and got.get("sender") == sender and \
                    got.get("code") == code:
                passed += 1
            else:
                failed += 1
                log.append("FAIL %s port %d: tshark decrypts %s alert %d, tlsdiag reports %s" % (
                    name, cport, sender, code, json.dumps(got)))
        return passed, failed, log

    passed = failed = 0
    for p, f, log in run_e2e.tshark_view.pmap(one, work):
        passed += p
        failed += f
        for line in log:
            print(line)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
