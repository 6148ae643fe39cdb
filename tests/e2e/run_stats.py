#!/usr/bin/env python3
"""`tlsdiag --stats` counts must agree with tshark's and capinfos' counts.

usage: tests/e2e/run_stats.py [--bin-arg ARG] BIN CAPTURES_DIR

For every capture in CAPTURES_DIR, runs `BIN -T json --stats --all F`, reads
its {"stats": {...}} line and compares with what tshark 4.0 and capinfos
count in the same file:

  link_type        capinfos -T -E (wiretap's short name), mapped to libpcap's
                   DLT name (ether -> EN10MB, linux-sll2 -> LINUX_SLL2, ...)
  packets, bytes   capinfos -c (packets) and -d (data size: the sum of the
                   packets' on-the-wire lengths)
  tcp_packets      frames whose frame.protocols holds tcp   (tshark -Y tcp)
  udp_packets      ... holds udp, not quoted in ICMP        (tshark -Y "udp && !icmp")
  ipv4, ipv6       ... holds ip / ipv6                      (tshark -Y ip, -Y ipv6)
  tcp_connections  distinct tcp.stream values
  tls_connections  at least the TCP streams in which tshark decodes a
                   ClientHello (the server ports decoded as TLS with -d, since
                   tshark knows TLS only on registered ports: 44321/44322 are
                   pmcd/pmproxy to it), at most tcp_connections; tlsdiag also
                   counts a connection it judges as a failed TLS connection
                   without a ClientHello (client_not_tls: plain text to a
                   server that speaks TLS)
  dtls_records     DTLS records tshark decodes (dtls.record.content_type), not
                   those quoted in ICMP errors
  dtls_associations  UDP conversations (udp.stream) with a DTLS ClientHello
  anomalies        capture_snaplen_cut plus the truncated_* header counters
                   equal the frames whose frame.cap_len < frame.len

The tshark side is one `-T fields` pass per file (frame.protocols and friends),
the same counts as `tshark -r F -Y tcp | wc -l` and so on, in one run.
One check per capture and count. Prints one line per failed check and ends with
"N passed, N failed"; exits 1 when a check failed, 77 (skipped) when tshark or
capinfos is not installed.
"""
import argparse, json, os, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xcheck import captures, parse_or_skip  # noqa: E402
import tshark_view  # noqa: E402

# wiretap encapsulation short names (capinfos -T -E) -> libpcap DLT names
# (pcap_datalink_val_to_name), for the link types tlsdiag decodes.
ENCAP_TO_DLT = {
    "ether": "EN10MB",
    "linux-sll": "LINUX_SLL",
    "linux-sll2": "LINUX_SLL2",
    "null": "NULL",
    "loop": "LOOP",
    "rawip": "RAW",
    "rawip4": "IPV4",
    "rawip6": "IPV6",
    "ppp": "PPP",
    "ppp-with-direction": "PPP_PPPD",
    "ieee-802-11": "IEEE802_11",
    "ieee-802-11-radiotap": "IEEE802_11_RADIO",
}

TRUNCATED = ("truncated_link_header", "truncated_ip_header", "truncated_tcp_header",
             "truncated_udp_header", "truncated_tunnel_header")


def capinfos(path):
    """(encapsulation short name, packets, data bytes)"""
    cols = tshark_view.run("capinfos", ["-T", "-r", "-E", "-c", "-d"], path,
                           timeout=120).decode().strip().split("\t")
    return cols[1], int(cols[2]), int(cols[3])


def theirs(path):
    counts = {"tcp_packets": 0, "udp_packets": 0, "ipv4": 0, "ipv6": 0, "cut_frames": 0}
    streams = set()
    rows = tshark_view.frames(path)
    for v in rows:
        protos = set(v["frame.protocols"].split(":"))
        # An ICMP error quotes the TCP/UDP header of the datagram it is
        # about: tshark lists that protocol, tlsdiag counts an ICMP packet.
        quoted = bool({"icmp", "icmpv6"} & protos)
        counts["tcp_packets"] += "tcp" in protos and not quoted
        counts["udp_packets"] += "udp" in protos and not quoted
        counts["ipv4"] += "ip" in protos
        counts["ipv6"] += "ipv6" in protos
        counts["cut_frames"] += int(v["frame.cap_len"]) < int(v["frame.len"])
        if v["tcp.stream"]:
            streams.add(v["tcp.stream"])
    counts["tcp_connections"] = len(streams)
    # Streams with a ClientHello (tls.handshake.type == 1), SYN destinations decoded as TLS.
    counts["client_hello_streams"] = len({
        v["tcp.stream"] for v in tshark_view.tls(path, tshark_view.syn_ports(rows))
        if "1" in v["tls.handshake.type"].split(",") and v["tcp.stream"]})
    # DTLS (tshark finds it by its heuristic on any UDP port): records, and
    # UDP conversations with a ClientHello (each capture here holds one
    # association per conversation). Not the DTLS quoted in ICMP errors.
    records, hellos = 0, set()
    for line in tshark_view.tshark(path, ["-Y", "dtls && !icmp", "-T", "fields", "-E",
                                          "occurrence=a", "-e", "udp.stream",
                                          "-e", "dtls.record.content_type",
                                          "-e", "dtls.handshake.type"]).splitlines():
        v = line.split("\t") + ["", "", ""]
        records += len([x for x in v[1].split(",") if x])
        if "1" in v[2].split(","):
            hellos.add(v[0])
    counts["dtls_records"], counts["dtls_associations"] = records, len(hellos)
    return counts


def ours(bin_, path, extra):
    p = subprocess.run([bin_, "-T", "json", "--stats", "--all"] + extra + [path],
                       capture_output=True, text=True, timeout=120)
    if p.returncode not in (0, 1):
        raise RuntimeError("tlsdiag exit %d: %s" % (p.returncode, p.stderr.strip()[-300:]))
    for line in p.stdout.splitlines():
        if line.startswith('{"stats"'):
            return json.loads(line)["stats"]
    raise RuntimeError("no stats line in the output")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin-arg", action="append", default=[])
    ap.add_argument("bin")
    ap.add_argument("captures")
    a = parse_or_skip(ap, ("tshark", "capinfos"))
    if a is None:
        return 77
    passed = failed = 0

    def both(path):
        try:
            return ours(a.bin, path, a.bin_arg), capinfos(path), theirs(path)
        except (OSError, ValueError, KeyError, IndexError, RuntimeError,
                subprocess.TimeoutExpired) as e:
            return e
    files = captures(a.captures)
    for path, r in zip(files, tshark_view.pmap(both, files)):
        name = os.path.basename(path)
        if isinstance(r, Exception):
            print("FAIL %s: %s" % (name, r))
            failed += 1
            continue
        s, (encap, packets, data), t = r
        anomalies = s.get("anomalies", {})
        cut = anomalies.get("capture_snaplen_cut", 0) + sum(anomalies.get(k, 0) for k in TRUNCATED)
        checks = [
            ("link_type", s.get("link_type"), ENCAP_TO_DLT.get(encap, "capinfos:" + encap)),
            ("packets", s.get("packets"), packets),
            ("bytes", s.get("bytes"), data),
            ("tcp_packets", s.get("tcp_packets"), t["tcp_packets"]),
            ("udp_packets", s.get("udp_packets"), t["udp_packets"]),
            ("ipv4", s.get("ipv4"), t["ipv4"]),
            ("ipv6", s.get("ipv6"), t["ipv6"]),
            ("tcp_connections", s.get("tcp_connections"), t["tcp_connections"]),
            ("dtls_records", s.get("dtls_records"), t["dtls_records"]),
            ("dtls_associations", s.get("dtls_associations"), t["dtls_associations"]),
            ("snaplen_cut + truncated_*", cut, t["cut_frames"]),
        ]
        for what, got, want in checks:
            if got == want:
                passed += 1
            else:
                failed += 1
                print("FAIL %s: %s %s, tshark/capinfos %s" % (name, what, got, want))
        tls = s.get("tls_connections")
        if isinstance(tls, int) and t["client_hello_streams"] <= tls <= t["tcp_connections"]:
            passed += 1
        else:
            failed += 1
            print("FAIL %s: tls_connections %s, tshark: %d streams with a ClientHello, %d TCP "
                  "streams" % (name, tls, t["client_hello_streams"], t["tcp_connections"]))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
