#!/usr/bin/env python3
"""Cross-checks the cipher suite names of src/tls_names.tsv against
Wireshark's value strings (`tshark -G values`, field
tls.handshake.ciphersuite). Exit 77 (meson: skipped) without tshark."""
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "e2e"))
import tshark_view  # noqa: E402  (the cached `tshark -G values`)


def main():
    tsv = sys.argv[1]
    if not shutil.which("tshark"):
        print("tshark not installed: skipped")
        return 77
    ws = tshark_view.values("tls.handshake.ciphersuite")["tls.handshake.ciphersuite"]
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
