#!/usr/bin/env python3
"""Every JSON line tlsdiag writes validates against schema/tlsdiag.schema.json.

usage: run_schema.py BIN CAPTURES_DIR SCHEMA [--public DIR]

For every capture in CAPTURES_DIR (and, with --public, every capture listed in
DIR/INDEX.tsv; skipped when DIR is absent), runs
`BIN -T json -a --summary --stats --group --explain FILE` (and the same with
FILE's key log when there is one) and validates every output line with
python3-jsonschema (Debian's package; Draft 2020-12). jq, independently of
Python's parser, must read the same number of records of each type.
Ends with the line 'N passed, N failed'.
"""
import glob
import json
import os
import shutil
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    # meson may have found another python3 than Debian's, which has the package
    if os.path.exists("/usr/bin/python3") and sys.executable != "/usr/bin/python3":
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    print("FAIL python3-jsonschema is not installed (scripts/bootstrap.sh installs it)")
    print("0 passed, 1 failed")
    sys.exit(1)


def public_captures(pub):
    index = os.path.join(pub, "INDEX.tsv")
    out = []
    if not os.path.exists(index):
        return out
    with open(index) as f:
        next(f)
        for line in f:
            v = line.rstrip("\n").split("\t")
            if len(v) > 6 and v[6] != "keylog (text)" and os.path.exists(os.path.join(pub, v[0])):
                out.append(os.path.join(pub, v[0]))
    return out


def us_mismatch(line):
    """The *_us integers name the times the seconds fields print (the same
    rounding): the first pair that does not agree, or None."""
    raw = json.loads(line, parse_float=str)
    for f in ("duration", "rtt", "time_to_failure"):
        sec, us = raw.get(f), raw.get(f + "_us")
        if (sec is None) != (us is None):
            return "%s %r but %s_us %r" % (f, sec, f, us)
        if sec is not None and int(str(sec).replace(".", "")) != us:
            return "%s %s but %s_us %d" % (f, sec, f, us)
    return None


def main():
    args = sys.argv[1:]
    pub = None
    if "--public" in args:
        i = args.index("--public")
        pub = args[i + 1]
        del args[i:i + 2]
    bin_, caps, schema_path = args
    with open(schema_path) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    files = sorted(glob.glob(os.path.join(caps, "*.pcap")))
    if pub is not None:
        if not os.path.isdir(pub):
            print("no public captures at %s: skipped" % pub)
            return 77
        files = public_captures(pub)
    have_jq = shutil.which("jq") is not None
    passed = failed = 0
    types_seen = set()
    for path in files:
        runs = [[]]
        key = os.path.splitext(path)[0] + ".keylog"
        if os.path.exists(key):
            runs.append(["--keylog", key])
        for extra in runs:
            cmd = [bin_, "-T", "json", "-a", "--summary", "--stats", "--group", "--explain",
                   *extra, path]
            p = subprocess.run(cmd, capture_output=True, timeout=120)
            name = os.path.basename(path) + (" (keylog)" if extra else "")
            if p.returncode not in (0, 1, 2):
                failed += 1
                print("FAIL %s: exit %d: %s" % (name, p.returncode, p.stderr[:200]))
                continue
            counts = {}
            for n, line in enumerate(p.stdout.decode("utf-8").splitlines(), 1):
                try:
                    rec = json.loads(line)
                except ValueError as e:
                    failed += 1
                    print("FAIL %s line %d: not JSON: %s" % (name, n, e))
                    continue
                errs = sorted(validator.iter_errors(rec), key=lambda e: list(e.path))
                if errs:
                    failed += 1
                    e = errs[0]
                    print("FAIL %s line %d (%s): %s at %s" % (name, n, rec.get("type"), e.message[:300],
                                                             "/".join(map(str, e.absolute_path))))
                else:
                    passed += 1
                if rec.get("type") == "connection":
                    bad = us_mismatch(line)
                    if bad:
                        failed += 1
                        print("FAIL %s line %d: %s" % (name, n, bad))
                t = rec.get("type")
                counts[t] = counts.get(t, 0) + 1
                types_seen.add(t)
            if have_jq:
                j = subprocess.run(["jq", "-r", ".type"], input=p.stdout, capture_output=True)
                jc = {}
                for t in j.stdout.decode().split():
                    jc[t] = jc.get(t, 0) + 1
                if j.returncode != 0 or jc != counts:
                    failed += 1
                    print("FAIL %s: jq read %s, python %s" % (name, jc, counts))
                else:
                    passed += 1
    if pub is None:
        # the bundled captures exercise every record type
        for t in ("connection", "summary", "stats", "group", "pattern"):
            if t in types_seen:
                passed += 1
            else:
                failed += 1
                print("FAIL no record of type %s was written for any capture" % t)
    if not have_jq:
        failed += 1
        print("FAIL jq is not installed (scripts/bootstrap.sh installs it)")
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
