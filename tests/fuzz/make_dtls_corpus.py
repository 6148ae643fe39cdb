#!/usr/bin/env python3
"""Seeds tests/fuzz/corpus/fuzz_dtls/ from the DTLS captures in captures/:
each capture's UDP datagrams in fuzz_dtls's format: op (bit 0: sent by the
side that did not send the first datagram; bit 2: half a second or more
after the previous datagram), 2-byte length, payload.

usage: make_dtls_corpus.py CAPTURES_DIR OUT_DIR
"""
import glob, os, struct, sys

from make_quic_corpus import datagrams


def main():
    src, out = sys.argv[1:3]
    os.makedirs(out, exist_ok=True)
    for pcap in sorted(glob.glob(os.path.join(src, '*dtls*.pcap'))):
        blob, prev = b'', None
        for srv, payload, ts in datagrams(pcap):
            op = (1 if srv else 0) | (4 if prev is not None and ts - prev >= 0.5 else 0)
            prev = ts
            blob += bytes([op]) + struct.pack('>H', len(payload)) + payload
        name = os.path.splitext(os.path.basename(pcap))[0]
        open(os.path.join(out, name), 'wb').write(blob)


if __name__ == '__main__':
    main()
