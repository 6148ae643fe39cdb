#!/usr/bin/env python3
"""Seed inputs for the fuzzers, made from the real captures.

usage: tests/fuzz/seed_corpora.py OUTDIR CAPTURES_DIR...

Writes OUTDIR/<target>/<capture>-<n> for:
  fuzz_pcap        every capture file (pcap or pcapng) of at most 1 MiB, as is;
  fuzz_flow,       every TCP stream tshark follows (`-z follow,tcp,raw`, with
  fuzz_tls_stream  out-of-order reassembly), as ops in capture order: op byte
                   (bit 0: 0 client, 1 server), u16 length, the bytes;
  fuzz_hello       every plaintext handshake message of those streams (TLS
                   records of type 22 before a ChangeCipherSpec, messages
                   joined across records), as the selector byte of its parser
                   in fuzz_hello.c and the body.

tshark's answers come from tests/e2e/tshark_view.py (cached in
$TLSDIAG_TSHARK_CACHE when set). The seeds are for a fuzzing run (.ci/run
passes them beside the committed corpus); they are not committed.
"""
import os
import re
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import tshark_view  # noqa: E402

# fuzz_hello.c's selector (data[0] % 8) per handshake type.
HELLO_SELECTOR = {1: 0, 2: 2, 11: 3, 13: 5, 12: 6, 4: 7}
MISSING = re.compile(rb"^\[\d+ bytes missing in capture file\]\x00?$")


def streams(path):
    """[[(sender 0/1, bytes), ...] per TCP stream] from tshark's follow output."""
    idx = sorted({int(v["tcp.stream"]) for v in tshark_view.frames(path) if v["tcp.stream"]})
    out, cur = [], None
    for line in tshark_view.follow(path, idx).splitlines() if idx else []:
        if line.startswith("Filter: tcp.stream eq "):
            cur = []
            out.append(cur)
        elif cur is None or not line.strip() or line[0] in "=FN":
            continue
        else:
            data = bytes.fromhex(line.strip())
            if not MISSING.match(data):
                cur.append((1 if line.startswith("\t") else 0, data))
    return [s for s in out if s]


def ops(chunks):
    return b"".join(struct.pack(">BH", d, len(b[:65535])) + b[:65535] for d, b in chunks)


def handshakes(chunks):
    """Plaintext handshake messages (type, body) of both directions."""
    out = []
    for d in (0, 1):
        data = b"".join(b for s, b in chunks if s == d)
        hs, pos = b"", 0
        while pos + 5 <= len(data):
            ctype, length = data[pos], struct.unpack(">H", data[pos + 3:pos + 5])[0]
            body = data[pos + 5:pos + 5 + length]
            pos += 5 + length
            if ctype == 20:      # ChangeCipherSpec: the rest is encrypted
                break
            if ctype == 22:
                hs += body
            elif ctype not in (21, 23):
                break            # not TLS
        while len(hs) >= 4:
            n = int.from_bytes(hs[1:4], "big")
            if len(hs) < 4 + n:
                break
            out.append((hs[0], hs[4:4 + n]))
            hs = hs[4 + n:]
    return out


def write(outdir, target, name, data):
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    files = []
    for folder in sys.argv[2:]:
        files += sorted(os.path.join(folder, f) for f in os.listdir(folder)
                        if re.search(r"\.(pcap|pcapng)$", f))
    counts = {}

    def one(path):
        try:
            return path, streams(path)
        except (OSError, RuntimeError, ValueError):
            return path, []
    for path, ss in tshark_view.pmap(one, files):
        base = os.path.splitext(os.path.basename(path))[0]
        if os.path.getsize(path) <= 1 << 20:
            with open(path, "rb") as f:
                write(outdir, "fuzz_pcap", base, f.read())
            counts["fuzz_pcap"] = counts.get("fuzz_pcap", 0) + 1
        for i, chunks in enumerate(ss):
            for target in ("fuzz_flow", "fuzz_tls_stream"):
                write(outdir, target, "%s-%d" % (base, i), ops(chunks))
                counts[target] = counts.get(target, 0) + 1
            for j, (t, body) in enumerate(handshakes(chunks)):
                if t in HELLO_SELECTOR:
                    write(outdir, "fuzz_hello", "%s-%d-%d" % (base, i, j),
                          bytes([HELLO_SELECTOR[t]]) + body)
                    counts["fuzz_hello"] = counts.get("fuzz_hello", 0) + 1
    print(", ".join("%s %d" % kv for kv in sorted(counts.items())))


if __name__ == "__main__":
    main()
