#!/usr/bin/env python3
"""Seeds tests/fuzz/corpus/fuzz_quic/ from the QUIC captures in captures/:
each capture's UDP datagrams (classic pcap, Ethernet, IPv4) in fuzz_quic's
format: op (bit 0: sent by the side that did not send the first datagram;
bit 1: at least 1200 bytes on the wire), 2-byte length, payload.

usage: make_quic_corpus.py CAPTURES_DIR OUT_DIR
"""
import glob, os, struct, sys


def datagrams(path):
    """(sent by the second side, UDP payload, time in s) per datagram."""
    data = open(path, 'rb').read()
    pos, first = 24, None
    while pos + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack('<IIII', data[pos:pos + 16])
        frame = data[pos + 16:pos + 16 + incl]
        pos += 16 + incl
        if len(frame) < 42 or frame[12:14] != b'\x08\x00' or frame[23] != 17:
            continue
        ihl = (frame[14] & 15) * 4
        udp = frame[14 + ihl:]
        sport = struct.unpack('>H', udp[0:2])[0]
        first = sport if first is None else first
        yield sport != first, udp[8:], sec + usec / 1e6


def main():
    src, out = sys.argv[1:3]
    os.makedirs(out, exist_ok=True)
    for pcap in sorted(glob.glob(os.path.join(src, 'quic_*.pcap'))):
        blob = b''
        for srv, payload, _ in datagrams(pcap):
            op = (1 if srv else 0) | (2 if len(payload) >= 1200 else 0)
            blob += bytes([op]) + struct.pack('>H', len(payload)) + payload
        name = os.path.splitext(os.path.basename(pcap))[0]
        open(os.path.join(out, name), 'wb').write(blob)


if __name__ == '__main__':
    main()
