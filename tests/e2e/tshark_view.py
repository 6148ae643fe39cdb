"""tshark's view of a capture, computed once and shared by every cross-check.

A view is the output of one tshark (or capinfos) command on one file. It is
kept in the cache directory $TLSDIAG_TSHARK_CACHE (the test setup in
tests/meson.build sets BUILD/tshark-cache) under a key made of

  - the SHA-256 of the capture's bytes (and of any other file the command
    reads, e.g. a key log), not its name or date;
  - the tool's version (`tshark --version`, itself cached by the binary's
    inode, size and date);
  - the command's options, in order;

so the tests that ask the same question share one answer, and a rerun runs no
tshark at all. Two processes asking for the same view at once compute it once
(the second waits on a lock). Without $TLSDIAG_TSHARK_CACHE nothing is cached.

The shared passes every test builds on:

  view(path, ...)         ONE tshark run per capture: every field below for
                          every frame, out-of-order reassembly on, the SYNs'
                          destination ports decoded as TLS (-d; tcpdump, which
                          starts in milliseconds, lists them), and the TCP
                          streams followed (-z follow,tcp,raw,N)
  frames(path)            its rows, FRAME_FIELDS (first occurrence)
  tls(path, ports, ...)   its frames with TLS (as -Y tls), TLS_FIELDS (every
                          occurrence, comma-joined); other PORTS or a KEYLOG
                          make another run
  follow(path, streams)   its `-z follow,tcp,raw,N` blocks for those streams
  values(field, ...)      `tshark -G values` value strings

tshark's start-up (about 0.6 s of CPU, whatever the file) is what costs, so
the tests ask one run per capture for everything they need.

Python 3 standard library only.
"""
import concurrent.futures, fcntl, hashlib, json, os, re, shutil, subprocess

CACHE = os.environ.get("TLSDIAG_TSHARK_CACHE") or None
REASM = ["-o", "tcp.reassemble_out_of_order:TRUE"]

FRAME_FIELDS = ["frame.number", "frame.protocols", "frame.len", "frame.cap_len", "tcp.stream",
                "ip.src", "ipv6.src", "tcp.srcport", "ip.dst", "ipv6.dst", "tcp.dstport",
                "tcp.flags.syn", "tcp.flags.ack", "tcp.seq_raw", "tcp.len"]

TLS_FIELDS = ["frame.number", "tcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst",
              "ipv6.dst", "tcp.dstport", "tls.record.content_type", "tls.record.opaque_type",
              "tls.handshake.type", "tls.handshake.length", "tls.handshake.version",
              "tls.handshake.extensions_server_name",
              "tls.handshake.extensions.supported_version", "tls.handshake.ciphersuite",
              "tls.handshake.extension.type", "tls.alert_message.level",
              "tls.alert_message.desc", "_ws.expert.group", "_ws.malformed"]

# The value strings the tests look up (`tshark -G values` is read once for all).
VALUE_FIELDS = ["tls.handshake.ciphersuite", "tls.handshake.extensions.supported_version",
                "tls.handshake.version"]

_hashes = {}
_versions = {}


def jobs():
    """Worker threads for independent work inside one test ($TLSDIAG_TEST_JOBS, else
    the number of CPUs, at most 4): the work is in child processes."""
    n = os.environ.get("TLSDIAG_TEST_JOBS")
    return max(1, int(n)) if n and n.isdigit() else min(4, os.cpu_count() or 1)


def pmap(fn, items):
    """[fn(x) for x in items], run on jobs() threads; results in the order of items."""
    items = list(items)
    if jobs() == 1 or len(items) < 2:
        return [fn(x) for x in items]
    with concurrent.futures.ThreadPoolExecutor(jobs()) as ex:
        return list(ex.map(fn, items))


def file_hash(path):
    st = os.stat(path)
    tag = (os.path.abspath(path), st.st_size, st.st_mtime_ns, st.st_ino)
    if tag not in _hashes:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        _hashes[tag] = h.hexdigest()
    return _hashes[tag]


def _locked(key, compute):
    """compute() -> bytes, stored under KEY in the cache (computed once)."""
    if not CACHE:
        return compute()
    os.makedirs(CACHE, exist_ok=True)
    path = os.path.join(CACHE, key)
    if os.path.exists(path):
        with open(path, "rb") as f:
            return f.read()
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if os.path.exists(path):
                with open(path, "rb") as f:
                    return f.read()
            data = compute()
            tmp = "%s.%d.tmp" % (path, os.getpid())
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
            return data
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def version(tool):
    """The first line of `TOOL --version` (cached by the binary's identity)."""
    exe = shutil.which(tool)
    if exe is None:
        raise RuntimeError("%s not found" % tool)
    st = os.stat(os.path.realpath(exe))
    if tool not in _versions:
        key = "version-%s" % hashlib.sha256(repr(
            (os.path.realpath(exe), st.st_ino, st.st_size, st.st_mtime_ns)).encode()).hexdigest()

        def compute():
            p = subprocess.run([exe, "--version"], capture_output=True, timeout=120)
            return (p.stdout.decode(errors="replace").strip().splitlines() or ["?"])[0].encode()
        _versions[tool] = _locked(key, compute).decode()
    return _versions[tool]


def run(tool, args, path=None, inputs=(), timeout=600):
    """stdout (bytes) of `TOOL [-r PATH] ARGS` (capinfos: `capinfos ARGS PATH`), cached.
    INPUTS: other files the command reads (their content is part of the key). A
    non-zero exit raises RuntimeError and caches nothing."""
    h = hashlib.sha256()
    h.update(json.dumps([tool, version(tool), list(args),
                         file_hash(path) if path else None,
                         [file_hash(x) for x in inputs]]).encode())
    key = "%s-%s" % (tool, h.hexdigest())

    def compute():
        if path is None:
            cmd = [tool] + list(args)
        elif tool == "tshark":
            cmd = [tool, "-n", "-r", path] + list(args)
        else:
            cmd = [tool] + list(args) + [path]
        p = subprocess.run(cmd, capture_output=True, timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError("%s %s: exit %d: %s" % (
                tool, " ".join(args[:4]), p.returncode,
                p.stderr.decode(errors="replace").strip()[-300:]))
        return p.stdout
    return _locked(key, compute)


def tshark(path, args, inputs=()):
    """tshark -n -r PATH ARGS, as text."""
    return run("tshark", args, path, inputs).decode("utf-8", errors="replace")


# Certificates and the ServerKeyExchange (run_certs.py).
CERT_FIELDS = ["tls.handshake.certificate", "x509ce.dNSName", "tls.handshake.random",
               "tls.handshake.server_curve_type", "tls.handshake.server_named_curve",
               "tls.handshake.server_point", "tls.handshake.sig_hash_alg", "tls.handshake.sig"]

VIEW_FIELDS = FRAME_FIELDS + [f for f in TLS_FIELDS + CERT_FIELDS if f not in FRAME_FIELDS]
TCP_LINE = re.compile(r"(\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([^\]]*)\]")
RULE = "=" * 67             # starts each block of `-z follow` output
FOLLOW_MAX = 64             # streams followed in one tshark run


def guess(path):
    """What tcpdump sees (cheap: no tshark start-up): (the destination ports of SYNs
    without ACK, the number of TCP endpoint pairs), or None when it cannot read the
    file. They only choose what the one tshark pass decodes as TLS and follows."""
    try:
        out = run("tcpdump", ["-nn", "-r"], path).decode("ascii", errors="replace")
    except (OSError, RuntimeError, subprocess.SubprocessError):
        return None
    ports, pairs = set(), set()
    for m in TCP_LINE.finditer(out):
        pairs.add(frozenset([(m.group(1), m.group(2)), (m.group(3), m.group(4))]))
        if "S" in m.group(5) and "." not in m.group(5):
            ports.add(int(m.group(4)))
    return sorted(ports), len(pairs)


def _view(path, ports, keylog=None, follow=0):
    """(rows, follow text) of one tshark run: per frame VIEW_FIELDS (every occurrence,
    comma-joined), out-of-order reassembly on, PORTS decoded as TLS (-d), decrypted with
    KEYLOG if given, and `-z follow,tcp,raw,N` for the streams N < FOLLOW."""
    args = list(REASM)
    inputs = ()
    if keylog:
        args += ["-o", "tls.keylog_file:" + keylog]
        inputs = (keylog,)
    for p in sorted(set(int(x) for x in ports)):
        args += ["-d", "tcp.port==%d,tls" % p]
    args += ["-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in VIEW_FIELDS:
        args += ["-e", f]
    for n in range(follow):
        args += ["-z", "follow,tcp,raw,%d" % n]
    lines = tshark(path, args, inputs).split("\n")
    end = lines.index(RULE) if RULE in lines else len(lines)
    rows = [dict(zip(VIEW_FIELDS, line.split("\t"))) for line in lines[:end] if line]
    return rows, "\n".join(lines[end:])


def view(path, ports=None, keylog=None):
    """(rows, follow text, streams followed): the shared pass. PORTS None: tcpdump's SYN
    destinations (else tshark's own, from a first pass); without a key log the first
    streams, as many as tcpdump's endpoint pairs (at most FOLLOW_MAX), are followed too."""
    g = guess(path)
    if ports is None and g is None:
        rows, _ = _view(path, [])
        ports = syn_ports([{f: v[f].split(",")[0] for f in FRAME_FIELDS} for v in rows])
    elif ports is None:
        ports = g[0]
    follow = 0 if keylog or g is None else min(g[1], FOLLOW_MAX)
    rows, text = _view(path, ports, keylog, follow)
    return rows, text, follow


def frames(path):
    """[{field: value}] per frame, FRAME_FIELDS, the first occurrence of each."""
    return [{f: v[f].split(",")[0] for f in FRAME_FIELDS} for v in view(path)[0]]


def syn_ports(rows):
    """The destination ports of SYNs without ACK (the servers), as ints."""
    return sorted({int(v["tcp.dstport"]) for v in rows
                   if v["tcp.flags.syn"] in ("1", "True") and v["tcp.flags.ack"] in ("0", "False")
                   and v["tcp.dstport"]})


def tls(path, ports, keylog=None):
    """[{field: value}] per frame with TLS over TCP (tls and tcp among
    frame.protocols: QUIC's TLS messages ride UDP and are checked by e2e_quic),
    TLS_FIELDS (all occurrences, comma-joined), PORTS decoded as TLS, decrypted with
    KEYLOG if given."""
    return [{f: v[f] for f in TLS_FIELDS} for v in view(path, ports, keylog)[0]
            if {"tls", "tcp"} <= set(v["frame.protocols"].split(":"))]


def _blocks(text):
    """{stream: its `-z follow` block, from its "Filter: tcp.stream eq N" line on}"""
    out, cur = {}, None
    for line in text.split("\n"):
        if line.startswith("Filter: tcp.stream eq "):
            cur = int(line.split()[-1])
            out[cur] = [line]
        elif cur is not None and line != RULE and not line.startswith("Follow:"):
            out[cur].append(line)
    return {n: "\n".join(v) for n, v in out.items()}


def follow(path, streams):
    """`-z follow,tcp,raw,N` (out-of-order reassembly on) of STREAMS, in their order: from
    the shared pass where it followed them, else from extra runs of FOLLOW_MAX streams."""
    _, text, done = view(path)
    blocks = _blocks(text)
    rest = [n for n in streams if n >= done]
    for i in range(0, len(rest), FOLLOW_MAX):
        args = REASM + ["-q"]
        for n in rest[i:i + FOLLOW_MAX]:
            args += ["-z", "follow,tcp,raw,%d" % n]
        blocks.update(_blocks(run("tshark", args, path).decode("ascii", errors="replace")))
    return "\n".join(blocks[n] for n in streams if n in blocks)


def values(*fields):
    """{field: {value: name}} from `tshark -G values` for FIELDS."""
    want = sorted(set(fields) | set(VALUE_FIELDS))   # one cached table for every caller

    def compute():
        p = subprocess.run(["tshark", "-G", "values"], capture_output=True, timeout=300)
        if p.returncode != 0:
            raise RuntimeError("tshark -G values: exit %d" % p.returncode)
        out = {f: {} for f in want}
        for line in p.stdout.decode("utf-8", errors="replace").splitlines():
            c = line.split("\t")
            if len(c) == 4 and c[0] == "V" and c[1] in out:
                out[c[1]][int(c[2], 0)] = c[3]
        return json.dumps(out).encode()
    key = "values-%s" % hashlib.sha256(json.dumps([version("tshark"), want]).encode()).hexdigest()
    out = json.loads(_locked(key, compute))
    return {f: {int(k): v for k, v in out[f].items()} for f in fields}
