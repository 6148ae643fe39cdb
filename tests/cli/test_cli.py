#!/usr/bin/env python3
"""Command-line behaviour of tlsdiag: errors, exit codes, options.

usage: test_cli.py TLSDIAG CAPTURES_DIR
Writes the small non-capture inputs it needs into a temporary directory.
Ends with the line 'N passed, N failed'."""
import json
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time

BIN, CAPS = sys.argv[1], sys.argv[2]
passed = failed = 0


def run(*args, stdin=None, env=None):
    p = subprocess.run([BIN, *args], input=stdin, capture_output=True, timeout=60, env=env)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def read_pcap(path):
    """(header bytes, [(ts_sec, ts_usec, data, wirelen), ...]) of a classic pcap."""
    with open(path, "rb") as f:
        d = f.read()
    hdr, off, recs = d[:24], 24, []
    while off + 16 <= len(d):
        sec, usec, incl, orig = struct.unpack("<IIII", d[off:off + 16])
        recs.append((sec, usec, d[off + 16:off + 16 + incl], orig))
        off += 16 + incl
    return hdr, recs


def write_pcap(path, hdr, recs):
    with open(path, "wb") as f:
        f.write(hdr)
        for sec, usec, data, orig in recs:
            f.write(struct.pack("<IIII", sec, usec, len(data), orig) + data)


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def pcap_file(path, linktype, frames, snaplen=65535):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)))
            f.write(fr)


tmp = tempfile.mkdtemp(prefix="tlsdiag-cli-")
ok_capture = os.path.join(CAPS, "tls13_ok.pcap")
fail_capture = os.path.join(CAPS, "tls12_no_shared_cipher.pcap")

rc, out, err = run("--help")
check("help exit 0", rc == 0, rc)
check("help usage", "Usage: tlsdiag" in out, out[:200])

rc, out, err = run("--version")
check("version", rc == 0 and out.startswith("tlsdiag "), out)

rc, out, err = run()
check("no args -> 2", rc == 2, rc)
check("no args message", err.startswith("tlsdiag: "), err)

rc, out, err = run("--format", "xml", ok_capture)
check("bad format -> 2", rc == 2 and "--format" in err, err)

missing = os.path.join(tmp, "missing.pcap")
rc, out, err = run(missing)
check("missing file -> 2", rc == 2, rc)
check("missing file names it", "missing.pcap" in err and err.startswith("tlsdiag: "), err)

notcap = os.path.join(tmp, "notes.txt")
with open(notcap, "w") as f:
    f.write("this is not a capture file\n" * 10)
rc, out, err = run(notcap)
check("not a capture -> 2", rc == 2, rc)
check("not a capture names it", "notes.txt" in err, err)

rc, out, err = run(ok_capture, "port", "and", "and")
check("bad filter -> 2", rc == 2, rc)
check("bad filter message", "filter" in err.lower() or "syntax" in err.lower(), err)

wlan = os.path.join(tmp, "wlan.pcap")
pcap_file(wlan, 105, [b"\x00" * 30])  # LINKTYPE_IEEE802_11
rc, out, err = run(wlan)
check("unknown link type -> 2", rc == 2, rc)
check("unknown link type named", "802" in err or "IEEE" in err, err)

trunc = os.path.join(tmp, "trunc.pcap")
with open(ok_capture, "rb") as f:
    data = f.read()
with open(trunc, "wb") as f:
    f.write(data[: len(data) - 10])
rc, out, err = run("--format", "json", "--all", trunc)
check("truncated file -> 2", rc == 2, rc)
check("truncated file message", "trunc.pcap" in err, err)

rc, out, err = run(ok_capture)
check("established only -> 0", rc == 0, (rc, err))

rc, out, err = run(fail_capture)
check("failure -> 1", rc == 1, (rc, err))
check("failure text names the step", "server_hello" in out, out)

rc, out, err = run("-T", "json", "--all", "--summary", "--stats", ok_capture, fail_capture)
lines = [json.loads(l) for l in out.splitlines() if l.strip()]
check("json lines parse", len(lines) >= 4, out[:300])
check("json has summary", any("summary" in l for l in lines), out[-300:])
check("json has stats", any("stats" in l for l in lines), out[-300:])
check("two files as one capture -> 1", rc == 1, rc)

rc, out, err = run("-T", "json", "--all", "-", stdin=data)
check("stdin", rc == 0 and '"outcome"' in out, (rc, err))

rc, out, err = run("-T", "json", "--all", fail_capture, "tcp port 1")
check("filter excludes everything", rc == 0 and out.strip() == "", (rc, out))

outfile = os.path.join(tmp, "out.json")
rc, out, err = run("-T", "json", "-o", outfile, fail_capture)
check("-o writes the file", rc == 1 and os.path.getsize(outfile) > 0 and out == "", (rc, out))

wfile = os.path.join(tmp, "failed.pcap")
rc, out, err = run("-w", wfile, fail_capture)
check("-w writes a pcap", rc == 1 and os.path.getsize(wfile) > 24, rc)
rc2, out2, err2 = run("-T", "json", wfile)
check("-w output re-analyses as failed", rc2 == 1 and '"failed"' in out2, (rc2, err2))

rc, out, err = run("-c", "3", "--stats", ok_capture)
check("-c stops", "packets: 3 " in out, out)

rc, out, err = run("-D")
check("-D lists interfaces", rc == 0 and "lo" in out, (rc, out[:200], err))

rc, out, err = run("-i", "nosuchdev0")
check("missing interface -> 2", rc == 2, rc)
check("missing interface named", "nosuchdev0" in err and err.startswith("tlsdiag: "), err)

rc, out, err = run("-i", "lo", ok_capture)
check("-i and files together -> 2", rc == 2, (rc, err))

if os.geteuid() == 0:
    rc, out, err = run("-i", "lo", "-Z", "no-such-user-tlsdiag", "--duration", "1")
    check("-Z unknown user refuses to go on", rc == 2 and "no-such-user-tlsdiag" in err,
          (rc, err))
    rc, out, err = run("-i", "lo", "-Z", "nobody", "--duration", "0.5", "-T", "json")
    check("-Z nobody drops privileges and runs", rc == 0, (rc, err))

keys = os.path.join(tmp, "keys.txt")
with open(keys, "w") as f:
    f.write("# comment\nCLIENT_RANDOM zz 00\n")
rc, out, err = run("--keylog", keys, ok_capture)
check("malformed key log lines are reported, not fatal", rc == 0 and "malformed" in err,
      (rc, err))
rc, out, err = run("--keylog", os.path.join(tmp, "nokeys.txt"), ok_capture)
check("missing key log -> 2", rc == 2 and "nokeys.txt" in err, (rc, err))


# ---- issue 12: tcpdump/tshark habits, formats, filters, grouped view ----
mixed = os.path.join(CAPS, "mixed.pcap")
ipv6_capture = os.path.join(CAPS, "tls12_no_shared_cipher_ipv6.pcap")

# A filter given before the files: say where it goes.
rc, out, err = run("port 443", mixed)
check("filter before the files -> 2", rc == 2, rc)
check("filter before the files says so", "the filter goes after the files" in err, err)
rc, out, err = run("tcp", "port", "443", mixed)
check("unquoted filter before the files says so",
      rc == 2 and "the filter goes after the files" in err and "'tcp port 443'" in err, err)

# -f is the capture filter (tshark, dumpcap); -T the format.
rc, out, err = run("-T", "json", "-f", "tcp port 44306", mixed)
recs = [json.loads(l) for l in out.splitlines() if l.strip()]
check("-f filters packets", rc == 1 and len(recs) == 1 and recs[0]["server"]["port"] == 44306,
      (rc, out[:300], err))

# A capture filter decides which packets are analyzed, not how the capture
# ran: each connection of mixed.pcap, alone through a filter, is reported
# exactly as it is in the whole file (same frame numbers, same clock).
def by_conn(out):
    return {(r["client"]["port"], r["server"]["port"], r["transport"]): r
            for r in map(json.loads, out.splitlines()) if "client" in r}


rc, out, err = run("-T", "json", "--all", mixed)
whole = by_conn(out)
check("mixed.pcap has several connections", len(whole) >= 3, len(whole))
for (cport, sport, transport), rec in sorted(whole.items()):
    for threads in ("1", "2"):
        rc, out, err = run("-T", "json", "--all", "--threads", threads,
                           "-f", f"port {cport} and port {sport}", mixed)
        alone = by_conn(out)
        check(f"-f 'port {cport} and port {sport}' --threads {threads} reports that connection"
              " as the whole file does", alone == {(cport, sport, transport): rec},
              (out[:400], rec))
# Arkime's synthetic capture: a DTLS ClientHello resent 8 min later, other
# traffic in between. With -f udp that traffic is filtered out; the
# capture did run (it is in the file), so it is a retransmission timeout,
# not a discontinuity of the capture.
arkime = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared",
                      "captures-public", "arkime", "tests", "pcap", "arkime_synthetic.pcap")
if os.path.exists(arkime):
    dtls = lambda o: {k: v for k, v in by_conn(o).items() if k[2] == "dtls"}
    rc, out, err = run("-T", "json", "--all", arkime)
    whole = dtls(out)
    rc, out, err = run("-T", "json", "--all", "-f", "udp", arkime)
    check("arkime_synthetic.pcap: DTLS reported alike with -f udp",
          len(whole) == 2 and dtls(out) == whole, (sorted(whole), out[:400]))
rc, out, err = run("-f", "json", mixed)
check("-f json: hint -T json", rc == 2 and "did you mean -T json?" in err, (rc, err))
rc, out, err = run("-f", "port 1", mixed, "port 2")
check("-f and a trailing filter -> 2", rc == 2 and "both" in err, (rc, err))
rc, out, err = run("-T", "port 443", mixed)
check("-T with a filter: hint -f", rc == 2 and "-f 'port 443'" in err, (rc, err))
rc, out, err = run("-T", "ek", mixed)
check("-T ek: hint -T json", rc == 2 and "-T json" in err, (rc, err))
rc, out, err = run("-T", "fields", mixed)
check("-T fields: hint -T line", rc == 2 and "-T line" in err, (rc, err))
rc, out, err = run("-o", "tls.keylog_file:/tmp/keys.txt", mixed)
check("-o with a tshark preference: hint --keylog",
      rc == 2 and "--keylog /tmp/keys.txt" in err and not os.path.exists("tls.keylog_file:/tmp/keys.txt"),
      (rc, err))
rc, out, err = run("-a", "duration:10", mixed)
check("tshark autostop: hint --duration", rc == 2 and "--duration" in err, (rc, err))
rc, out, err = run("-Y", "tls.alert_message", mixed)
check("-Y: hint the result filters", rc == 2 and "--cause" in err, (rc, err))
rc, out, err = run("--format", "json", fail_capture)
check("--format stays an alias of -T", rc == 1 and out.startswith("{"), (rc, out[:100]))
rc, out, err = run("-n", fail_capture)
check("-n accepted", rc == 1 and "FAILED" in out, (rc, err))
rc, out, err = run("-q", fail_capture)
check("-q: no per-connection output, exit status kept", rc == 1 and out == "", (rc, out))
rc, out, err = run("-q", "--summary", fail_capture)
check("-q --summary: the summary only", rc == 1 and out.startswith("Summary:"), (rc, out[:200]))
for flag in ("-v", "-V", "--verbose"):
    rc, out, err = run(flag, fail_capture)
    check("%s: connection id and Community ID" % flag,
          rc == 1 and "  id:         C" in out and "(community_id 1:" in out, (rc, out))
rc, out, err = run("--version")
check("--version", rc == 0 and out.startswith("tlsdiag "), out)

# Times: UTC labelled; tshark's -t choices.
rc, out, err = run(fail_capture)
check("text times say UTC", " UTC\n" in out.split("\n")[0] + "\n", out[:200])
rc, out, err = run("-t", "e", "-T", "line", fail_capture)
fields = out.split()
check("-t e: epoch seconds", rc == 1 and len(fields) > 6 and fields[6].replace(".", "").isdigit(),
      out)
rc, out, err = run("-t", "x", fail_capture)
check("-t with an unknown format -> 2", rc == 2, rc)

# NO_COLOR (no-color.org) turns off the automatic colour of a terminal.
def on_tty(env_extra):
    master, slave = pty.openpty()
    env = dict(os.environ, **env_extra)
    p = subprocess.Popen([BIN, fail_capture], stdout=slave, stderr=subprocess.DEVNULL, env=env)
    os.close(slave)
    got = b""
    while True:
        try:
            r, _, _ = select.select([master], [], [], 10)
            if not r:
                break
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        got += chunk
    p.wait()
    os.close(master)
    return got
env_nc = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
check("colour on a terminal", b"\x1b[" in on_tty({}) if "NO_COLOR" not in os.environ else True)
check("NO_COLOR: no colour on a terminal", b"\x1b[" not in on_tty({"NO_COLOR": "1"}))
rc, out, err = run("--color=always", fail_capture, env=dict(os.environ, NO_COLOR="1"))
check("--color=always wins over NO_COLOR", "\x1b[" in out, out[:100])

# A pipe: each report is flushed when its connection ends, not at EOF.
def first_report_before_eof(args):
    with open(fail_capture, "rb") as f:
        cap = f.read()
    p = subprocess.Popen([BIN, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    p.stdin.write(cap)
    p.stdin.flush()
    t0, got = time.time(), b""
    while time.time() - t0 < 10 and b"FAILED" not in got and b"failed" not in got:
        r, _, _ = select.select([p.stdout], [], [], 0.2)
        if r:
            chunk = p.stdout.read1(65536)
            if not chunk:
                break
            got += chunk
    p.stdin.close()
    p.wait()
    return b"FAILED" in got or b"failed" in got
check("pipe: report before EOF (text)", first_report_before_eof(["-r", "-"]))
check("pipe: report before EOF (JSON, -l)", first_report_before_eof(["-l", "-T", "json", "-r", "-"]))

# Summary: IPv6 servers in brackets; causes = main causes; warnings on
# established connections apart; totals do not depend on -a.
rc, out, err = run("--summary", ipv6_capture)
check("summary: IPv6 server in brackets", "    [::1]:44333 " in out, out[-300:])
# Counted as the per-connection records of the same capture say: the main
# cause (the first diagnosis) of each failure, its other diagnoses apart,
# and every diagnosis of an established connection as a warning.
def summary_matches_records(path):
    rc, out, err = run("-T", "json", "-a", path)
    recs = [json.loads(l) for l in out.splitlines() if '"type":"connection"' in l]
    causes, further, warnings = {}, {}, {}
    for r in recs:
        codes = [d["code"] for d in r["diagnosis"]]
        if r["outcome"] == "established":
            for c in codes:
                warnings[c] = warnings.get(c, 0) + 1
        elif codes:
            causes[codes[0]] = causes.get(codes[0], 0) + 1
            for c in codes[1:]:
                further[c] = further.get(c, 0) + 1
    rc, out, err = run("--summary", path)
    want = ["  cause %s: %d" % kv for kv in causes.items()]
    if further:
        want.append("  further findings on failed or incomplete connections: " +
                    ", ".join("%s %d" % kv for kv in further.items()))
    if warnings:
        want.append("  warnings on established connections: " +
                    ", ".join("%s %d" % kv for kv in warnings.items()))
    got = [l for l in out.splitlines() if l.startswith(("  cause ", "  further findings", "  warnings on"))]

    def norm(lines):  # the order of the codes on one line does not matter
        return sorted(l.split(": ", 1)[0] + ": " + ", ".join(sorted(l.split(": ", 1)[1].split(", ")))
                      if l.startswith(("  further", "  warnings")) else l for l in lines)
    return norm(got) == norm(want), (got, want), causes, further, warnings
ok_, detail, causes, further, _ = summary_matches_records(os.path.join(CAPS, "tls12_expired_cert.pcap"))
check("summary: main causes, further findings apart", ok_ and sum(causes.values()) == 1 and further, detail)
ok_, detail, _, _, warnings = summary_matches_records(ok_capture.replace("tls13_ok", "tls12_ok"))
check("summary: warnings on established connections", ok_ and warnings, detail)
ok_, detail, _, _, _ = summary_matches_records(mixed)
check("summary: mixed.pcap counted as its records", ok_, detail)
# A capture that starts after the handshake (frames from the first application
# data record on, as tshark numbers them): one connection with no handshake.
tls12_ok = os.path.join(CAPS, "tls12_ok.pcap")
midstream = os.path.join(tmp, "midstream.pcap")
if shutil.which("tshark"):
    t = subprocess.run(["tshark", "-r", tls12_ok, "-Y", "tls.app_data", "-T", "fields",
                        "-e", "frame.number"], capture_output=True, text=True)
    first_app = int(t.stdout.split()[0])
    hdr, recs = read_pcap(tls12_ok)
    write_pcap(midstream, hdr, recs[first_app - 1:])
    rc, out, err = run("--summary", midstream)
    rc2, out2, err2 = run("-a", "--summary", midstream)
    line1 = [l for l in out.splitlines() if l.startswith("Summary:")]
    line2 = [l for l in out2.splitlines() if l.startswith("Summary:")]
    check("summary totals do not depend on -a", line1 == line2 and line1 and "1 TLS connection" in line1[0],
          (line1, line2))
    check("summary says what -a would show", "not shown: 1 incomplete" in out, out)

# -T line: verdict, step, cause first; one line per connection.
rc, out, err = run("-T", "line", mixed)
lines = out.splitlines()
check("-T line: one line per failed connection", rc == 1 and len(lines) == 6, out)
check("-T line: verdict and step first",
      all(l.split()[0] == "FAILED" and l.split()[1] in ("server_hello", "certificate") for l in lines), out)
check("-T line: cause(confidence), SNI, server",
      any(l.startswith("FAILED server_hello unrecognized_name(certain) unknown.tlsdiag.test "
                       "127.0.0.1:44317 127.0.0.1:50170 ") for l in lines), out)
rc, out, err = run("-T", "line", "-a", mixed)
check("-T line -a: established too", len(out.splitlines()) == 8 and
      sum(l.startswith("ESTABLISHED - - ") for l in out.splitlines()) == 2, out)
rc, out, err = run("-T", "line", ipv6_capture)
check("-T line: IPv6 in brackets", "[::1]:44333 [::1]:50330 " in out, out)

# -T zeek: Zeek's ssl.log header, one record per connection, #close.
rc, out, err = run("-T", "zeek", "-a", mixed)
zl = out.splitlines()
check("-T zeek: header", zl[:5] == ["#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)",
                                    "#unset_field\t-", "#path\tssl"], zl[:6])
fields_line = [l for l in zl if l.startswith("#fields\t")]
recs_z = [l for l in zl if not l.startswith("#")]
check("-T zeek: every record has the #fields count",
      fields_line and len(recs_z) == 8 and
      all(len(r.split("\t")) == len(fields_line[0].split("\t")) - 1 for r in recs_z), zl)
check("-T zeek: #close last", zl[-1].startswith("#close\t"), zl[-1:])

# Filters on the result, alone and with BPF (ports from tests/e2e/expected.tsv).
def line_ports(*args):
    rc, out, err = run("-T", "line", *args)
    return rc, sorted(int(l.split()[5].rsplit(":", 1)[1]) for l in out.splitlines())
check("--outcome established", line_ports("--outcome", "established", mixed) == (0, [50010, 50020]))
check("--sni glob", line_ports("--sni", "UNKNOWN.*", mixed) == (1, [50170]))
check("--sni - (no SNI)", line_ports("-a", "--sni", "-", mixed) == (0, []))
check("--server", line_ports("--server", "127.0.0.1:44318", mixed) == (1, [50180]))
check("--server ::1", line_ports("--server", "::1", ipv6_capture) == (1, [50330]))
check("--cause glob", line_ports("--cause", "no_*", mixed) == (1, [50060, 50180]))
check("--cause and --min-confidence",
      line_ports("--cause", "no_*", "--min-confidence", "certain", mixed) == (1, [50180]))
check("--cause with BPF", line_ports("--cause", "no_*", mixed, "port 44306") == (1, [50060]))
check("--cause that matches nothing: exit 0", line_ports("--cause", "nothing", mixed) == (0, []))
rc, out, err = run("--outcome", "ok", mixed)
check("--outcome ok -> 2", rc == 2 and "--outcome" in err, (rc, err))
rc, out, err = run("--server", "example.com", mixed)
check("--server with a name -> 2", rc == 2, (rc, err))

# The next step and --explain in the text blocks.
rc, out, err = run(fail_capture)
check("next: an openssl command offering what the client offered",
      "  next:       openssl s_client -connect 127.0.0.1:44306 -servername server.tlsdiag.test "
      "-tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305 </dev/null\n" in out, out)
check("packets: a tshark filter for this connection",
      "  packets:    tshark -r %s -Y 'ip.addr==127.0.0.1 && tcp.port==50060 && tcp.port==44306'\n"
      % fail_capture in out, out)
rc, out, err = run("--explain", fail_capture)
check("--explain spells out the history",
      "  history:    Cl{}\n              C   client    client_hello\n"
      "              l   server    alert\n" in out, out)

# The grouped view: --group, and on its own for long text output.
rc, out, err = run("--group", mixed)
check("--group: the grouped view", rc == 1 and out.startswith("Grouped view: 6 failed or incomplete "
                                                             "of 8 TLS connections in 6 kinds"), out)
rc, out, err = run(mixed)
check("6 failures: blocks, not grouped", out.startswith("FAILED "), out[:100])
# 25 copies of one failing handshake, 10 s apart, each from its own client
# port (tshark must see 25 connections and 25 alerts)
def with_client_port(frame, old, new):
    """The Ethernet/IPv4/TCP frame with TCP port old replaced by new (either side)."""
    ihl = (frame[14] & 15) * 4
    tcp = 14 + ihl
    sport, dport = struct.unpack("!HH", frame[tcp:tcp + 4])
    ports = struct.pack("!HH", new if sport == old else sport, new if dport == old else dport)
    return frame[:tcp] + ports + frame[tcp + 4:]
hdr, recs = read_pcap(fail_capture)
many = os.path.join(tmp, "many.pcap")
write_pcap(many, hdr, [(sec + 10 * k, usec, with_client_port(d, 50060, 51000 + k), o)
                       for k in range(25) for sec, usec, d, o in recs])
if shutil.which("tshark"):
    t = subprocess.run(["tshark", "-r", many, "-Y", "tls.alert_message.desc == 40", "-T", "fields",
                        "-e", "tcp.stream"], capture_output=True, text=True)
    check("25 copies: tshark sees 25 alerts in 25 connections",
          len(set(t.stdout.split())) == 25, t.stdout[-200:])
rc, out, err = run(many)
check("more than 20 failures: grouped by default",
      rc == 1 and out.startswith("Grouped view: 25 failed or incomplete of 25 TLS connections in 1 kind") and
      "     25       1  server_hello  no_shared_cipher (likely)" in out and
      "127.0.0.1:44306" in out and "e.g. 127.0.0.1:51000 -> 127.0.0.1:44306" in out, out)
check("grouped view: short", len(out.splitlines()) <= 6, out)
rc, out, err = run("--no-group", many)
check("--no-group: every block", out.count("\nFAILED ") + out.startswith("FAILED ") == 25, out[:200])
rc, out, err = run("-a", many)
check("-a: every connection, not grouped", out.startswith("FAILED "), out[:100])
rc, out, err = run("-T", "json", "--group", many)
kinds = [json.loads(l)["type"] for l in out.splitlines()]
check("-T json --group: group records after the connections",
      kinds.count("connection") == 25 and kinds[-1] == "group" and kinds.count("group") == 1, kinds)
rc, out, err = run("-T", "line", "--group", mixed)
check("--group with -T line -> 2", rc == 2, rc)

# -o and -w are both opened before -Z drops privileges: both may be in a
# directory only root can write (tmp is mode 0700, owned by root).
if os.geteuid() == 0:
    # The filter keeps other tests' loopback traffic (a failed handshake
    # would make the exit status 1) out of it.
    rc, out, err = run("-i", "lo", "-Z", "nobody", "--duration", "0.5",
                       "-w", os.path.join(tmp, "z.pcap"), "-o", os.path.join(tmp, "z.txt"),
                       "tcp port 9")
    check("-Z with -w and -o in a root-only directory", rc == 0 and
          os.path.getsize(os.path.join(tmp, "z.pcap")) >= 24 and os.path.exists(os.path.join(tmp, "z.txt")),
          (rc, err))

# An established connection's chain is checked only when something reads
# it. Without -a the failures must be reported exactly as with -a, and
# --outcome established / --summary still see the established ones' findings.
fleet = os.path.join(CAPS, "fleet.pcap")
rc_a, out_a, _ = run("-T", "json", "-a", "--no-group", fleet)
rc_d, out_d, _ = run("-T", "json", "--no-group", fleet)
with_a = [json.loads(x) for x in out_a.splitlines() if x.strip()]
default = [json.loads(x) for x in out_d.splitlines() if x.strip()]
check("-T json without -a: the failures as with -a",
      rc_a == rc_d and default == [o for o in with_a if o["outcome"] != "established"]
      and len(default) > 0, (rc_a, rc_d, len(default), len(with_a)))
rc, out, _ = run("-T", "json", "--outcome", "established", fleet)
est = [json.loads(x) for x in out.splitlines() if x.strip()]
check("--outcome established: chains checked (certificates shown)",
      est and est == [o for o in with_a if o["outcome"] == "established"]
      and all(o["certificates"] for o in est), len(est))
# Files given out of order (the later capture first): a connection of the
# earlier file is reported at its own time, not at the later time the
# clock had reached (its certificate would be judged at the wrong time),
# and the step back is counted. Expected times from the pcap records.
older = os.path.join(CAPS, "tls12_expired_cert.pcap")
_, older_recs = read_pcap(older)
first = older_recs[0][0] + older_recs[0][1] / 1e6
span = (older_recs[-1][0] + older_recs[-1][1] / 1e6) - first
outs = {}
for t in ("1", "2"):
    rc, out, _ = run("--threads", t, "-T", "json", "-a", "--no-group", "--stats", fleet, older)
    outs[t] = out
objs = [json.loads(x) for x in outs["1"].splitlines() if x.strip()]
conns = [o for o in objs if "client" in o]
stats = [o for o in objs if o.get("type") == "stats"]
late = [o for o in conns if o["client"]["port"] == 50140]
ts = (late[0]["ts"] if late else "")
import datetime as _dt
want_ts = _dt.datetime.fromtimestamp(first, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"
_, alone_out, _ = run("-T", "json", "-a", "--no-group", older)
alone = [json.loads(x) for x in alone_out.splitlines() if x.strip()]
check("files out of order: the earlier file's connection at its own time, as read alone",
      len(late) == 1 and ts == want_ts and late == alone and 0 < late[0]["duration"] <= span,
      (ts, want_ts, late[0]["duration"] if late else None, span))
check("files out of order: capture time of the certificate check is the connection's",
      late and "capture time " + want_ts[:19] in json.dumps(late[0]), late[0]["diagnosis"][0] if late else None)
check("files out of order: the clock restart counted once",
      stats and json.dumps(stats[0]).count('"capture_clock_restarts": 1') == 1, stats[:1])
check("files out of order: --threads 2 reports the same", outs["1"] == outs["2"] and outs["1"])
# Three files, each stepping back (the third by seconds only): every
# connection as when its file is read alone.
mixed = os.path.join(CAPS, "mixed.pcap")
rc, out, _ = run("-T", "json", "-a", "--no-group", "--stats", fleet, older, mixed)
together = [json.loads(x) for x in out.splitlines() if x.strip()]
key = lambda o: (o["ts"], o["client"]["port"], o["duration"], o["cause"], o["outcome"])
apart = []
for f in (fleet, older, mixed):
    _, o1, _ = run("-T", "json", "-a", "--no-group", f)
    apart += [json.loads(x) for x in o1.splitlines() if x.strip()]
check("files out of order: each connection as in its file alone",
      sorted(map(key, [o for o in together if "client" in o])) == sorted(map(key, apart))
      and len(apart) > 40, (len(together), len(apart)))
st = [o for o in together if o.get("type") == "stats"]
check("files out of order: two restarts counted",
      st and st[0]["stats"]["anomalies"].get("capture_clock_restarts") == 2, st[:1])
# A connection still open when the next file steps back ends there and is
# reported under its own file's name (the tshark hint must open the file
# that holds its packets), with threads as without.
fhdr, frecs = read_pcap(fleet)
cut_fleet = os.path.join(tmp, "fleet-cut.pcap")
write_pcap(cut_fleet, fhdr, frecs[:6])  # SYN, SYN-ACK, ACK, ClientHello, ...
outs = {}
for t in ("1", "2"):
    _, outs[t], _ = run("--threads", t, "-T", "json", "-a", cut_fleet, older)
objs = [json.loads(x) for x in outs["1"].splitlines() if x.strip()]
cut_conn = [o for o in objs if o["source"]["name"] == cut_fleet]
_, text, _ = run("-a", "--no-group", "--color=never", cut_fleet, older)
check("restart: the open connection reported under its own file",
      len(cut_conn) == 1 and cut_conn[0]["termination"]["how"] == "capture_end"
      and len(objs) == 2 and objs[1]["source"]["name"] == older
      and f"tshark -r {cut_fleet} -Y" in text.split("\n\n")[0], [o["source"] for o in objs])
check("restart: --threads 2 reports the same", outs["1"] == outs["2"] and outs["1"])


def pcapng_of(path):
    """The records of a classic pcap as one pcapng section (SHB, IDB, EPBs)."""
    hdr, recs = read_pcap(path)
    linktype = struct.unpack("<I", hdr[20:24])[0]

    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack("<HHI", linktype, 0, 262144))
    for sec, usec, data, orig in recs:
        t = sec * 1000000 + usec
        out += block(6, struct.pack("<IIIII", 0, t >> 32, t & 0xFFFFFFFF, len(data), orig) + data)
    return out


# The same two captures as two sections of one pcapng file (`cat` of two
# pcapng files): the second section steps back and restarts the clock.
two = os.path.join(tmp, "two-sections.pcapng")
with open(two, "wb") as f:
    f.write(pcapng_of(cut_fleet) + pcapng_of(older))
outs = {}
for t in ("1", "2"):
    _, outs[t], _ = run("--threads", t, "-T", "json", "-a", "--stats", two)
objs = [json.loads(x) for x in outs["1"].splitlines() if x.strip()]
conns = [o for o in objs if "client" in o]
st = [o for o in objs if o.get("type") == "stats"]
check("pcapng sections: a section stepping back restarts the clock",
      len(conns) == 2 and conns[1]["ts"] == want_ts and conns[1]["duration"] == alone[0]["duration"]
      and conns[1]["cause"] == alone[0]["cause"] and conns[0]["termination"]["how"] == "capture_end"
      and st and st[0]["stats"]["anomalies"].get("capture_clock_restarts") == 1,
      [(o["ts"], o["cause"]) for o in conns])
check("pcapng sections: --threads 2 reports the same", outs["1"] == outs["2"] and outs["1"])

# Within a file: one frame stamped years ahead (a broken clock, a corrupted
# record) is a stray, seen at the time of the frames around it. Without
# that the clock stayed in the future: every later connection was reported
# there, with its waits read as 0 (a verdict changed). -w keeps its stamp.
mhdr, mrecs = read_pcap(mixed)
# In the first failed connection (-w keeps its frames), the second of its.
stray_at = next(i for i, r in enumerate(mrecs) if r[0] >= mrecs[0][0] + 4) + 1
stray_recs = list(mrecs)
sec, usec, data, orig = stray_recs[stray_at]
stray_recs[stray_at] = (sec + 300000000, usec, data, orig)  # 9.5 years, within int32
stray_pcap = os.path.join(tmp, "mixed-stray.pcap")
write_pcap(stray_pcap, mhdr, stray_recs)
_, plain, _ = run("-T", "json", "-a", "--no-group", mixed)
outs = {}
for t in ("1", "2"):
    _, outs[t], _ = run("--threads", t, "-T", "json", "-a", "--no-group", "--stats", stray_pcap)
objs = [json.loads(x) for x in outs["1"].splitlines() if x.strip()]
strip = lambda o: {k: v for k, v in o.items() if k != "source"}
want = [strip(json.loads(x)) for x in plain.splitlines() if x.strip()]
got = [strip(o) for o in objs if o.get("type") == "connection"]
st = [o for o in objs if o.get("type") == "stats"]
check("stray stamp: every connection as without it", got == want and len(want) == 8,
      [(a.get("ts"), b.get("ts")) for a, b in zip(want, got) if a != b][:3])
check("stray stamp: counted, no silence or restart",
      st and st[0]["stats"]["anomalies"].get("capture_stray_timestamps") == 1
      and "capture_silences" not in st[0]["stats"]["anomalies"]
      and "capture_clock_restarts" not in st[0]["stats"]["anomalies"], st[:1])
check("stray stamp: --threads 2 reports the same", outs["1"] == outs["2"] and outs["1"])
# -c counts the packets analysed, held ones included, with a filter too
# (the frames it rejects are not counted).
counts = []
for n in range(stray_at, stray_at + 4):
    for extra in ([], ["not tcp port 44306"]):
        _, o1, _ = run("-c", str(n), "--stats", "-T", "json", stray_pcap, *extra)
        st1 = [json.loads(x) for x in o1.splitlines() if '"stats"' in x]
        counts.append(st1[0]["stats"]["packets"] if st1 else None)
check("stray stamp: -c N analyses N packets around the held one",
      counts == [n for n in range(stray_at, stray_at + 4) for _ in (0, 1)], counts)
evid = os.path.join(tmp, "stray-evidence.pcapng")
run("-a", "-w", evid, "-o", os.devnull, stray_pcap)
p = subprocess.run(["tshark", "-r", evid, "-T", "fields", "-e", "frame.time_epoch"],
                   capture_output=True, text=True) if shutil.which("tshark") else None
if p is not None:
    want_stamp = "%d.%06d" % (sec + 300000000, usec)
    check("stray stamp: -w keeps the stamp recorded in the file",
          any(x.startswith(want_stamp) for x in p.stdout.split()), p.stdout.split()[:4])

# Two captures joined into one file, the second five days earlier (the
# files of the out-of-order test above, as `cat` of pcaps would give if it
# could): the clock restarts there, and every connection is reported as
# when its part is read alone.
_, frecs_all = read_pcap(fleet)
_, orecs = read_pcap(older)
joined = os.path.join(tmp, "joined.pcap")
write_pcap(joined, fhdr, frecs_all + orecs)
outs = {}
for t in ("1", "2"):
    _, outs[t], _ = run("--threads", t, "-T", "json", "-a", "--no-group", "--stats", joined)
objs = [json.loads(x) for x in outs["1"].splitlines() if x.strip()]
apart = []
for f in (fleet, older):
    _, o1, _ = run("-T", "json", "-a", "--no-group", f)
    apart += [json.loads(x) for x in o1.splitlines() if x.strip()]
st = [o for o in objs if o.get("type") == "stats"]
check("joined captures: each connection as in its part alone",
      sorted(map(key, [o for o in objs if "client" in o])) == sorted(map(key, apart))
      and len(apart) > 20, (len(objs), len(apart)))
check("joined captures: one restart, no stray",
      st and st[0]["stats"]["anomalies"].get("capture_clock_restarts") == 1
      and "capture_stray_timestamps" not in st[0]["stats"]["anomalies"], st[:1])
check("joined captures: --threads 2 reports the same", outs["1"] == outs["2"] and outs["1"])

# Rotated captures: a connection that starts in one file and ends in the
# next is named after the file of its first packet, where its handshake is
# (the tshark hint must open that file), with threads as without. Split
# fleet.pcap inside its first failed connection (client port 52002), after
# its ClientHello.
rot_hdr, rot_recs = read_pcap(fleet)
sport = lambda rec: struct.unpack(">H", rec[2][34:36])[0] if len(rec[2]) >= 36 else 0
in_conn = [i for i, r in enumerate(rot_recs) if 52002 in (sport(r), struct.unpack(">H", r[2][36:38])[0])]
cut_at = in_conn[3] + 1  # SYN, SYN-ACK, ACK, ClientHello
rot_a, rot_b = os.path.join(tmp, "rot-1.pcap"), os.path.join(tmp, "rot-2.pcap")
write_pcap(rot_a, rot_hdr, rot_recs[:cut_at])
write_pcap(rot_b, rot_hdr, rot_recs[cut_at:])
outs = {}
for t in ("1", "2"):
    _, outs[t], _ = run("--threads", t, "-T", "json", "-a", "--no-group", rot_a, rot_b)
objs = [json.loads(x) for x in outs["1"].splitlines() if x.strip()]
spans = [o for o in objs if o.get("client", {}).get("port") == 52002]
later = [o for o in objs if o.get("client", {}).get("port") == 52007]
check("rotated files: a connection across them named after its first file",
      len(spans) == 1 and spans[0]["source"]["name"] == rot_a and spans[0]["cause"] == "certificate_expired"
      and later and later[0]["source"]["name"] == rot_b, [(o["client"]["port"], o["source"]) for o in objs][:3])
check("rotated files: --threads 2 the same", outs["1"] == outs["2"] and outs["1"])
_, text, _ = run("--no-group", "--color=never", rot_a, rot_b)
block = [b for b in text.split("\n\n") if ":52002 " in b]
check("rotated files: its tshark hint opens the first file",
      block and f"tshark -r {rot_a} -Y" in block[0], block[:1])
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
