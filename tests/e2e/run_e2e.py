#!/usr/bin/env python3
"""End-to-end check of tlsdiag on the real captures.

usage: tests/e2e/run_e2e.py [options] BIN CAPTURES_DIR EXPECTED_TSV
       tests/e2e/run_e2e.py --tshark [options] BIN CAPTURES_DIR [EXPECTED_TSV]

Runs `BIN --format json --all FILE` on each capture (JSON Lines, one object per
connection; lines without "outcome" are ignored) and finds each connection by its client
port.

EXPECTED_TSV mode: for every row of EXPECTED_TSV (tests/e2e/expected.tsv, made by
derive_expected.py from tshark), asserts outcome, failed_step, termination.by,
termination.how, alert.sender, alert.code, alert.encrypted, that the diagnosis codes are
present among diagnosis[].code, resumed, and the extra key=value fields.
A file "NAME.pcap+keylog" runs with --keylog NAME.keylog.
Cell syntax: "-" = null / no alert / nothing to check for diagnosis, "*" = not asserted,
"a|b" = either value, diagnosis "a,b" = every code present.

--tshark: for every capture in CAPTURES_DIR, every connection in which tshark decodes a
plaintext alert must be reported by tlsdiag with that alert (sender by port and code; the
first fatal one when there are several), and tlsdiag must not report a plaintext alert
where tshark decodes none.

Prints one line per failed check and ends with the line "N passed, N failed"; exits 1 if
any check failed. Python 3 standard library only (and tshark for --tshark).
"""
import argparse, glob, json, os, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tshark_view  # noqa: E402

COLUMNS = ["file", "client_port", "outcome", "failed_step", "term_by", "term_how",
           "alert_sender", "alert_code", "alert_encrypted", "diagnosis", "resumed",
           "extra", "tshark"]

class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self):
        self.passed += 1

    def fail(self, msg):
        self.failed += 1
        print("FAIL " + msg, flush=True)

_cache = {}

def run_bin(bin_, path, extra_args, checks, timeout):
    """Reports of one capture, by client port (a list per port: ports may repeat)."""
    key = (path, tuple(extra_args))
    if key in _cache:
        return _cache[key]
    cmd = [bin_, "--format", "json", "--all"] + extra_args + [path]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        checks.fail("%s: %s did not finish in %d s" % (os.path.basename(path), bin_, timeout))
        _cache[key] = None
        return None
    except OSError as e:
        checks.fail("%s: cannot run %s: %s" % (os.path.basename(path), bin_, e))
        _cache[key] = None
        return None
    if p.returncode < 0:
        checks.fail("%s: %s killed by signal %d; stderr: %s" % (
            os.path.basename(path), bin_, -p.returncode, p.stderr.strip()[-300:]))
    reports = {}
    for n, line in enumerate(p.stdout.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            checks.fail("%s: output line %d is not JSON (%s): %.120s" % (
                os.path.basename(path), n, e, line))
            continue
        if not isinstance(obj, dict) or "outcome" not in obj:
            continue
        if obj.get("transport", "tcp") != "tcp":
            continue  # QUIC and DTLS: checked against tshark by e2e_quic / e2e_dtls
        try:
            port = int(obj["client"]["port"])
        except (KeyError, TypeError, ValueError):
            checks.fail("%s: output line %d has no client.port" % (os.path.basename(path), n))
            continue
        reports.setdefault(port, []).append(obj)
    _cache[key] = reports
    return reports

def get(obj, dotted):
    """obj["a"]["b"] for "a.b"; a missing key or a null on the way gives None."""
    cur = obj
    for k in dotted.split("."):
        if not isinstance(cur, dict) or k not in cur:
            return None
        cur = cur[k]
    return cur

def show(v):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)

def check_value(checks, where, field, want, got):
    """want: TSV cell; got: JSON value."""
    if want == "*":
        return
    alts = want.split("|")
    if show(got) in alts:
        checks.ok()
    else:
        checks.fail("%s %s: expected %s, got %s" % (where, field, want, show(got)))

def read_expected(path):
    rows = []
    with open(path) as fh:
        for n, line in enumerate(fh, 1):
            if line.startswith("#") or not line.strip():
                continue
            v = line.rstrip("\n").split("\t")
            if v[0] == "file":
                continue
            if len(v) < len(COLUMNS) - 1:
                sys.exit("%s:%d: %d columns, expected %d" % (path, n, len(v), len(COLUMNS)))
            v += [""] * (len(COLUMNS) - len(v))
            rows.append(dict(zip(COLUMNS, v)))
    return rows

def check_expected(a, checks):
    for r in read_expected(a.expected):
        # "NAME.pcap+keylog": the row holds for a run with the capture's key log
        name, plus, _ = r["file"].partition("+")
        path = os.path.join(a.captures, name)
        where = "%s port %s" % (r["file"], r["client_port"])
        if not os.path.exists(path):
            checks.fail("%s: capture missing" % where)
            continue
        extra = a.bin_arg + (["--keylog", path[:-len(".pcap")] + ".keylog"] if plus else [])
        reports = run_bin(a.bin, path, extra, checks, a.timeout)
        if reports is None:
            continue
        objs = reports.get(int(r["client_port"]))
        if not objs:
            checks.fail("%s: no report for this connection (reported client ports: %s)" % (
                where, ",".join(str(p) for p in sorted(reports)) or "none"))
            continue
        if len(objs) > 1:
            checks.fail("%s: %d reports for one connection" % (where, len(objs)))
        o = objs[0]
        check_value(checks, where, "outcome", r["outcome"], o.get("outcome"))
        check_value(checks, where, "failed_step", r["failed_step"], o.get("failed_step"))
        check_value(checks, where, "termination.by", r["term_by"], get(o, "termination.by"))
        check_value(checks, where, "termination.how", r["term_how"], get(o, "termination.how"))
        alert = o.get("alert")
        if r["alert_sender"] == "*":
            pass
        elif r["alert_sender"] == "-":
            if alert is None:
                checks.ok()
            else:
                checks.fail("%s alert: expected none, got %s" % (where, json.dumps(alert)))
        else:
            if not isinstance(alert, dict):
                checks.fail("%s alert: expected %s %s%s, got none" % (
                    where, r["alert_sender"], r["alert_code"],
                    " (encrypted)" if r["alert_encrypted"] == "true" else ""))
            else:
                check_value(checks, where, "alert.sender", r["alert_sender"], alert.get("sender"))
                check_value(checks, where, "alert.code", r["alert_code"], alert.get("code"))
                check_value(checks, where, "alert.encrypted", r["alert_encrypted"],
                            alert.get("encrypted"))
        if r["diagnosis"] not in ("-", "*", ""):
            have = [d.get("code") for d in (o.get("diagnosis") or []) if isinstance(d, dict)]
            for code in r["diagnosis"].split(","):
                if code in have:
                    checks.ok()
                else:
                    checks.fail("%s diagnosis: expected %s among the codes, got [%s]" % (
                        where, code, ", ".join(str(c) for c in have)))
        check_value(checks, where, "resumed", r["resumed"], o.get("resumed"))
        if r["extra"] not in ("-", "*", ""):
            for kv in r["extra"].split(";"):
                k, _, v = kv.partition("=")
                check_value(checks, where, k, v, get(o, k))

# ------------------------------------------------------------------ --tshark
def tshark_alerts(path, keylog=None):
    """{client port: [(sender, level, code), ...]} of the alerts tshark decodes (plaintext
    ones; with a key log also the encrypted ones it decrypts). The servers are the senders
    of SYN-ACKs (else the lower port of each pair), decoded as TLS."""
    synack, pairs = set(), set()
    for v in tshark_view.frames(path):
        if not v["tcp.srcport"]:
            continue
        pairs.add((int(v["tcp.srcport"]), int(v["tcp.dstport"])))
        if v["tcp.flags.syn"] in ("1", "True") and v["tcp.flags.ack"] in ("1", "True"):
            synack.add(int(v["tcp.srcport"]))
    servers = synack or {min(p) for p in pairs}
    alerts = {}
    for v in tshark_view.tls(path, servers, keylog):
        if not v["tls.alert_message.desc"]:
            continue                       # an encrypted alert: no level/description
        s, d = int(v["tcp.srcport"]), int(v["tcp.dstport"])
        sender, cport = ("server", d) if s in servers else ("client", s)
        levels = v["tls.alert_message.level"].split(",")
        for i, code in enumerate(v["tls.alert_message.desc"].split(",")):
            level = int(levels[i]) if i < len(levels) and levels[i] else None
            alerts.setdefault(cport, []).append((sender, level, int(code)))
    return alerts, servers

def check_tshark(a, checks):
    work = []
    for path in sorted(glob.glob(os.path.join(a.captures, "*.pcap"))):
        keylog = None
        if a.keylog:
            # Decrypted alerts: tshark and tlsdiag both read the capture's key log.
            keylog = path[:-len(".pcap")] + ".keylog"
            if not os.path.exists(keylog):
                continue
        work.append((path, keylog))

    def tshark_side(job):
        try:
            return tshark_alerts(*job)[0]
        except (OSError, RuntimeError, subprocess.SubprocessError) as e:
            return e
    for (path, keylog), alerts in zip(work, tshark_view.pmap(tshark_side, work)):
        name = os.path.basename(path)
        if isinstance(alerts, Exception):
            checks.fail("%s: tshark failed: %s" % (name, alerts))
            continue
        extra = a.bin_arg + (["--keylog", keylog] if keylog else [])
        reports = run_bin(a.bin, path, extra, checks, a.timeout)
        if reports is None:
            continue
        for cport in sorted(set(alerts) | set(reports)):
            where = "%s port %d (tshark)" % (name, cport)
            want = alerts.get(cport, [])
            objs = reports.get(cport) or []
            got = objs[0].get("alert") if objs else None
            if want:
                fatal = [x for x in want if x[1] == 2]
                sender, _, code = (fatal or want)[0]
                if not objs:
                    checks.fail("%s: tshark decodes %s alert %d, tlsdiag reports no such "
                                "connection" % (where, sender, code))
                elif not isinstance(got, dict):
                    checks.fail("%s: tshark decodes %s alert %d, tlsdiag reports no alert" % (
                        where, sender, code))
                elif got.get("sender") != sender or got.get("code") != code \
                        or (got.get("encrypted") and not keylog):
                    checks.fail("%s: tshark decodes %s alert %d (plaintext), tlsdiag reports "
                                "%s" % (where, sender, code, json.dumps(got)))
                else:
                    checks.ok()
            elif objs and isinstance(got, dict) and (got.get("encrypted") is False or
                                                     (keylog and got.get("code") is not None)):
                checks.fail("%s: tlsdiag reports a plaintext alert %s that tshark does not "
                            "decode" % (where, json.dumps(got)))
            elif objs:
                checks.ok()

def main():
    ap = argparse.ArgumentParser(description="End-to-end check of tlsdiag on real captures.")
    ap.add_argument("--keylog", action="store_true",
                    help="with --tshark: decrypt with each capture's NAME.keylog (tshark "
                         "and tlsdiag alike) and compare the alerts read from protected records")
    ap.add_argument("--tshark", action="store_true",
                    help="check every plaintext alert tshark decodes in CAPTURES_DIR")
    ap.add_argument("--bin-arg", action="append", default=[],
                    help="extra argument for BIN (repeatable), e.g. --bin-arg=--ca-file=X")
    ap.add_argument("--timeout", type=int, default=60, help="seconds per BIN run (60)")
    ap.add_argument("bin")
    ap.add_argument("captures")
    ap.add_argument("expected", nargs="?")
    a = ap.parse_args()
    if not a.tshark and not a.expected:
        ap.error("EXPECTED_TSV is needed without --tshark")
    checks = Checks()
    if a.expected:
        check_expected(a, checks)
    if a.tshark:
        check_tshark(a, checks)
    print("%d passed, %d failed" % (checks.passed, checks.failed))
    return 1 if checks.failed else 0

if __name__ == "__main__":
    sys.exit(main())
