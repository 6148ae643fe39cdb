#!/usr/bin/env python3
"""Derive TCP edge-case captures from the real ones (python3 stdlib only).

usage: captures/rewrite.py [CAPTURES_DIR]      (default: the directory of this script)

Reads tls12_ok.pcap and tls13_ok.pcap (classic pcap, Ethernet, IPv4, as made by
generate.sh) and writes:

  tls12_ok_reordered.pcap    the server's first flight (ServerHello .. ServerHelloDone,
                             2 segments) cut into 5 segments delivered in reverse order
  tls12_ok_retrans_diff.pcap the ServerHello segment is retransmitted once more after the
                             client's ACK, with different bytes: the cipher suite in the
                             copy reads 0x009c (the first copy has the real one, 0xc030)
  tls13_ok_snaplen.pcap      the two segments of the server's first flight are cut to
                             caplen 96 (orig_len unchanged), as with tcpdump -s 96
  tls12_midstream.pcap       the first 5 packets (SYN, SYN-ACK, ACK, ClientHello, ACK)
                             are dropped: the capture starts with the server's flight
  tls12_gap.pcap             the second segment of the server's certificate flight
                             (end of Certificate, ServerKeyExchange, ServerHelloDone)
                             is dropped; the rest is unchanged

Each output gets a copy of its source's key log. Packets are found by their TCP
payload, not by frame number, so a regenerated source works too.
"""
import os, shutil, struct, sys

def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic != 0xA1B2C3D4:
        sys.exit("%s: not a little-endian microsecond classic pcap" % path)
    hdr, off, pkts = data[:24], 24, []
    while off + 16 <= len(data):
        ts, us, caplen, origlen = struct.unpack("<IIII", data[off:off + 16])
        pkts.append([ts, us, origlen, data[off + 16:off + 16 + caplen]])
        off += 16 + caplen
    return hdr, pkts

def write_pcap(path, hdr, pkts):
    with open(path, "wb") as f:
        f.write(hdr)
        for ts, us, origlen, frame in pkts:
            f.write(struct.pack("<IIII", ts, us, len(frame), origlen))
            f.write(frame)

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF

class Tcp:
    """Views of one Ethernet/IPv4/TCP frame."""
    def __init__(self, frame):
        assert struct.unpack("!H", frame[12:14])[0] == 0x0800, "IPv4 over Ethernet expected"
        self.frame = frame
        ip = frame[14:]
        self.ihl = (ip[0] & 15) * 4
        tcp = ip[self.ihl:]
        self.thl = (tcp[12] >> 4) * 4
        self.sport, self.dport, self.seq, self.ack = struct.unpack("!HHII", tcp[:12])
        self.flags = tcp[13]
        tot = struct.unpack("!H", ip[2:4])[0]
        self.payload = ip[self.ihl + self.thl:tot]

    def rebuild(self, seq=None, payload=None):
        """A copy with another sequence number and/or payload; lengths and checksums fixed."""
        seq = self.seq if seq is None else seq
        payload = self.payload if payload is None else payload
        eth = self.frame[:14]
        ip = bytearray(self.frame[14:14 + self.ihl])
        tcp = bytearray(self.frame[14 + self.ihl:14 + self.ihl + self.thl])
        struct.pack_into("!H", ip, 2, len(ip) + len(tcp) + len(payload))
        struct.pack_into("!H", ip, 10, 0)
        struct.pack_into("!H", ip, 10, csum(bytes(ip)))
        struct.pack_into("!I", tcp, 4, seq)
        struct.pack_into("!H", tcp, 16, 0)
        pseudo = bytes(ip[12:20]) + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
        struct.pack_into("!H", tcp, 16, csum(pseudo + bytes(tcp) + payload))
        return eth + bytes(ip) + bytes(tcp) + payload

def server_port(pkts):
    for p in pkts:
        t = Tcp(p[3])
        if t.flags & 0x12 == 0x12:          # SYN-ACK
            return t.sport
    sys.exit("no SYN-ACK")

def find(pkts, pred, start=0):
    for i in range(start, len(pkts)):
        if pred(Tcp(pkts[i][3])):
            return i
    sys.exit("packet not found")

def server_flight(pkts):
    """Indexes of the first two server data segments (ServerHello .. ServerHelloDone)."""
    sp = server_port(pkts)
    a = find(pkts, lambda t: t.sport == sp and t.payload)
    b = find(pkts, lambda t: t.sport == sp and t.payload, a + 1)
    return a, b

def ts_after(p, k):
    """Timestamp k microseconds after packet p."""
    us = p[0] * 1000000 + p[1] + k
    return us // 1000000, us % 1000000

def reordered(pkts):
    a, b = server_flight(pkts)
    ta, tb = Tcp(pkts[a][3]), Tcp(pkts[b][3])
    assert tb.seq == ta.seq + len(ta.payload), "flight segments not contiguous"
    data, seq0 = ta.payload + tb.payload, ta.seq
    cuts = [0, 300, 700, 1448, 1900, len(data)]
    pieces = []
    for i in range(len(cuts) - 1):
        pieces.append(ta.rebuild(seq=(seq0 + cuts[i]) & 0xFFFFFFFF, payload=data[cuts[i]:cuts[i + 1]]))
    pieces.reverse()
    out = pkts[:a]
    for k, fr in enumerate(pieces):
        s, us = ts_after(pkts[a], k)
        out.append([s, us, len(fr), fr])
    # the client's ACKs that followed the two segments stay, in their order
    for i in range(a + 1, len(pkts)):
        if i == b:
            continue
        out.append(pkts[i])
    fix_time(out)
    return out

def fix_time(pkts):
    """Keep timestamps non-decreasing after a reordering."""
    last = 0
    for p in pkts:
        t = p[0] * 1000000 + p[1]
        if t < last:
            t = last
        p[0], p[1] = t // 1000000, t % 1000000
        last = t

def retrans_diff(pkts):
    a, _ = server_flight(pkts)
    ta = Tcp(pkts[a][3])
    pl = bytearray(ta.payload)
    assert pl[0] == 22 and pl[5] == 2, "ServerHello record expected at the segment start"
    q = 5 + 4 + 2 + 32
    q += 1 + pl[q]                             # session id
    # the copy names TLS_RSA_WITH_AES_128_GCM_SHA256 (0x009c) instead of the real suite
    assert bytes(pl[q:q + 2]) != b"\x00\x9c"
    pl[q:q + 2] = b"\x00\x9c"
    fr = ta.rebuild(payload=bytes(pl))
    ack = find(pkts, lambda t: t.dport == ta.sport and not t.payload, a + 1)
    s, us = ts_after(pkts[ack], 5)
    return pkts[:ack + 1] + [[s, us, len(fr), fr]] + pkts[ack + 1:]

def snaplen(pkts, n=96):
    a, b = server_flight(pkts)
    out = [list(p) for p in pkts]
    for i in (a, b):
        out[i][3] = out[i][3][:n]
    return out

def midstream(pkts):
    return pkts[5:]

def gap(pkts):
    _, b = server_flight(pkts)
    return pkts[:b] + pkts[b + 1:]

def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    jobs = [
        ("tls12_ok", "tls12_ok_reordered", reordered),
        ("tls12_ok", "tls12_ok_retrans_diff", retrans_diff),
        ("tls13_ok", "tls13_ok_snaplen", snaplen),
        ("tls12_ok", "tls12_midstream", midstream),
        ("tls12_ok", "tls12_gap", gap),
    ]
    for src, dst, fn in jobs:
        hdr, pkts = read_pcap(os.path.join(d, src + ".pcap"))
        out = fn(pkts)
        write_pcap(os.path.join(d, dst + ".pcap"), hdr, out)
        kl = os.path.join(d, src + ".keylog")
        if os.path.exists(kl):
            shutil.copyfile(kl, os.path.join(d, dst + ".keylog"))
        print("[rewrite] %s: %d packets (from %s, %d)" % (dst, len(out), src, len(pkts)),
              file=sys.stderr)

if __name__ == "__main__":
    main()
