#!/usr/bin/env python3
"""Command-line behaviour of tlsdiag: errors, exit codes, options.

usage: test_cli.py TLSDIAG CAPTURES_DIR
Writes the small non-capture inputs it needs into a temporary directory.
Ends with the line 'N passed, N failed'."""
import json
import os
import struct
import subprocess
import sys
import tempfile

BIN, CAPS = sys.argv[1], sys.argv[2]
passed = failed = 0


def run(*args, stdin=None):
    p = subprocess.run([BIN, *args], input=stdin, capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


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

rc, out, err = run("-f", "json", "--all", "--summary", "--stats", ok_capture, fail_capture)
lines = [json.loads(l) for l in out.splitlines() if l.strip()]
check("json lines parse", len(lines) >= 4, out[:300])
check("json has summary", any("summary" in l for l in lines), out[-300:])
check("json has stats", any("stats" in l for l in lines), out[-300:])
check("two files as one capture -> 1", rc == 1, rc)

rc, out, err = run("-f", "json", "--all", "-", stdin=data)
check("stdin", rc == 0 and '"outcome"' in out, (rc, err))

rc, out, err = run("-f", "json", "--all", fail_capture, "tcp port 1")
check("filter excludes everything", rc == 0 and out.strip() == "", (rc, out))

outfile = os.path.join(tmp, "out.json")
rc, out, err = run("-f", "json", "-o", outfile, fail_capture)
check("-o writes the file", rc == 1 and os.path.getsize(outfile) > 0 and out == "", (rc, out))

wfile = os.path.join(tmp, "failed.pcap")
rc, out, err = run("-w", wfile, fail_capture)
check("-w writes a pcap", rc == 1 and os.path.getsize(wfile) > 24, rc)
rc2, out2, err2 = run("-f", "json", wfile)
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
    rc, out, err = run("-i", "lo", "-Z", "nobody", "--duration", "0.5", "-f", "json")
    check("-Z nobody drops privileges and runs", rc == 0, (rc, err))

keys = os.path.join(tmp, "keys.txt")
with open(keys, "w") as f:
    f.write("# comment\nCLIENT_RANDOM zz 00\n")
rc, out, err = run("--keylog", keys, ok_capture)
check("malformed key log lines are reported, not fatal", rc == 0 and "malformed" in err,
      (rc, err))
rc, out, err = run("--keylog", os.path.join(tmp, "nokeys.txt"), ok_capture)
check("missing key log -> 2", rc == 2 and "nokeys.txt" in err, (rc, err))

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
