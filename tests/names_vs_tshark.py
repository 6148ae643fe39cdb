#!/usr/bin/env python3
"""Cross-checks the cipher suite names of src/tls_names.tsv against
Wireshark's value strings (`tshark -G values`, field
tls.handshake.ciphersuite). Exit 77 (meson: skipped) without tshark."""
import shutil
import subprocess
import sys


def main():
    tsv = sys.argv[1]
    if not shutil.which("tshark"):
        print("tshark not installed: skipped")
        return 77
    ws = {}
    out = subprocess.run(["tshark", "-G", "values"], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) >= 4 and f[0] == "V" and f[1] == "tls.handshake.ciphersuite":
            ws[int(f[2])] = f[3]
    bad = 0
    count = 0
    with open(tsv, encoding="utf-8") as fh:
        for line in fh:
            f = line.rstrip("\n").split("\t")
            if f[0] != "suite":
                continue
            count += 1
            v = int(f[1], 0)
            if v not in ws:
                print(f"0x{v:04x} {f[2]}: not in tshark's table (newer than tshark?)")
            elif ws[v] != f[2]:
                print(f"0x{v:04x}: ours {f[2]} tshark {ws[v]}")
                bad += 1
    print(f"{count} suites, {bad} name mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
