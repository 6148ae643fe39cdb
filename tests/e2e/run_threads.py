#!/usr/bin/env python3
"""--threads N gives the output of one thread, byte for byte.

usage: tests/e2e/run_threads.py [--public | --quick] BIN CAPTURES_DIR [PUBLIC_DIR]

For every capture of CAPTURES_DIR (with --public: also every capture of PUBLIC_DIR,
default ../shared/captures-public beside the repository; skipped when absent), runs BIN
with --threads 1, 2 and 3 (each bundled capture alone: 1 and 2, to keep the default
suite short; all of them in one run and the public ones: 1, 2 and 3) and compares what
it prints:
- -T json --all --summary --stats (every report, the summary, the counters),
- --summary --color=never (the default text view: grouped when many fail),
- with the capture's key log when it has one (--keylog),
and, for all bundled captures read in one run (connections continue across files, the
source changes between them), the JSON, the text and the -w pcapng file. When editcap is
installed, a pcapng copy with its key log injected (a Decryption Secrets Block that must
reach the workers before the packets it decrypts) and packet comments is compared too.
A file of about 20 MB made of the bundled captures, larger than the reader's shared
capture buffers, is compared too (JSON and -w).
--quick runs only the comparisons of all captures read in one run, the pcapng copy and
the big file (CI runs them under ThreadSanitizer). --threads 1 is the single-threaded analyzer that the other end-to-end tests check against
tshark; the workers must not change a byte of it.

Prints one line per failed comparison and ends with "N passed, N failed"; exits 1 if
any failed.
"""
import argparse, glob, os, shutil, subprocess, sys, tempfile

THREADS = (1, 2, 3)


def run(binary, args):
    p = subprocess.run([binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    return p.returncode, p.stdout, p.stderr


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def same(self, name, outs, threads=THREADS):
        first = outs[0]
        bad = [t for t, o in zip(threads, outs) if o != first]
        if bad:
            self.failed += 1
            print(f"FAIL {name}: --threads {bad} differs from --threads 1")
        elif not first[1]:
            self.failed += 1
            print(f"FAIL {name}: no output at all")
        else:
            self.passed += 1


def compare(ck, binary, name, args, threads=THREADS):
    ck.same(name, [run(binary, ['--threads', str(t)] + args) for t in threads], threads)


def one_capture(ck, binary, path, threads=THREADS):
    name = os.path.basename(path)
    compare(ck, binary, name + ' json', ['-T', 'json', '--all', '--summary', '--stats', path],
            threads)
    compare(ck, binary, name + ' text', ['--summary', '--color=never', path], threads)
    keylog = os.path.splitext(path)[0] + '.keylog'
    if os.path.exists(keylog):
        compare(ck, binary, name + ' keylog',
                ['-T', 'json', '--all', '--summary', '--keylog', keylog, path], threads)


def pcapng_copy(ck, binary, tmp, captures):
    editcap = shutil.which('editcap')
    if not editcap:
        print('# editcap not installed: no pcapng copy')
        return
    done = 0
    for pcap in sorted(glob.glob(os.path.join(captures, '*.pcap'))):
        keylog = os.path.splitext(pcap)[0] + '.keylog'
        if not os.path.exists(keylog) or done == 3:
            continue
        ng = os.path.join(tmp, os.path.basename(pcap) + 'ng')
        subprocess.run([editcap, '-F', 'pcapng', '--inject-secrets', 'tls,' + keylog,
                        '-a', '1:first packet', '-a', '4:fourth packet', pcap, ng], check=True)
        compare(ck, binary, os.path.basename(ng) + ' secrets+comments',
                ['-T', 'json', '--all', '--summary', '--stats', ng])
        done += 1


def big_file(ck, binary, tmp, captures):
    """The bundled Ethernet pcaps one after another, twice, the second round
    1,000 s after the first, each packet followed by a 12,000-byte UDP datagram
    to the discard port (about 60 MB): one batch of 1,024 events then spans more
    file than the reader's shared capture buffers (16 x 256 KiB), so the reader
    must hand the batch over and wait before it reuses a buffer that a worker
    has still to read (tlsd_workers_reuse); if it did not, datagrams would
    overwrite TCP segments and the verdicts would differ, whatever the timing."""
    import struct
    rounds, recs, size = 2, [], 12000
    udp = bytes(6) + bytes([2, 0, 0, 0, 0, 1]) + b'\x08\x00' + struct.pack(
        '!BBHHHBBH4s4s', 0x45, 0, 20 + 8 + size, 0, 0, 64, 17, 0, bytes([10, 9, 9, 1]),
        bytes([10, 9, 9, 2])) + struct.pack('!HHHH', 9999, 9, 8 + size, 0) + bytes(size)
    for pcap in sorted(glob.glob(os.path.join(captures, '*.pcap'))):
        with open(pcap, 'rb') as f:
            d = f.read()
        if d[:4] not in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') or \
                struct.unpack('<I', d[20:24])[0] != 1:
            continue
        nano, pos = d[:4] == b'\x4d\x3c\xb2\xa1', 24
        while pos + 16 <= len(d):
            sec, frac, cap, wire = struct.unpack('<IIII', d[pos:pos + 16])
            recs.append((sec * 10**9 + (frac if nano else frac * 1000), wire,
                         d[pos + 16:pos + 16 + cap]))
            pos += 16 + cap
    big = os.path.join(tmp, 'big.pcap')
    with open(big, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xA1B23C4D, 2, 4, 0, 0, 262144, 1))
        t = 1_700_000_000 * 10**9
        for _ in range(rounds):
            for _, wire, data in recs:  # each file's packets in order, files one after another
                t += 1000  # 1 us apart: one continuous capture
                f.write(struct.pack('<IIII', t // 10**9, t % 10**9, len(data), wire) + data)
                f.write(struct.pack('<IIII', t // 10**9, t % 10**9 + 1, len(udp), len(udp)) + udp)
            t += 1000 * 10**9
    compare(ck, binary, 'big file json (shared buffers reused)',
            ['-T', 'json', '--all', '--summary', '--stats', big])
    outs = []
    for t in THREADS:
        w = os.path.join(tmp, f'big{t}.pcapng')
        rc, _, err = run(binary, ['--threads', str(t), '-q', '-w', w, big])
        with open(w, 'rb') as f:
            outs.append((rc, f.read(), err))
    ck.same('big file -w', outs)


def all_in_one(ck, binary, tmp, files):
    compare(ck, binary, 'all captures json', ['-T', 'json', '--all', '--summary', '--stats'] + files)
    compare(ck, binary, 'all captures text', ['--summary', '--color=never'] + files)
    outs = []
    for t in THREADS:
        w = os.path.join(tmp, f'w{t}.pcapng')
        rc, _, err = run(binary, ['--threads', str(t), '-q', '-w', w] + files)
        with open(w, 'rb') as f:
            outs.append((rc, f.read(), err))
    ck.same('all captures -w', outs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--public', action='store_true')
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('binary')
    ap.add_argument('captures')
    ap.add_argument('public_dir', nargs='?')
    a = ap.parse_args()
    ck = Checker()
    files = sorted(glob.glob(os.path.join(a.captures, '*.pcap')))
    with tempfile.TemporaryDirectory() as tmp:
        if a.public:
            pub = a.public_dir or os.path.join(os.path.dirname(os.path.abspath(a.captures)), '..',
                                               'shared', 'captures-public')
            if not os.path.isdir(pub):
                print('# no ' + pub + ': skipped')
                return 77
            for root, _, names in sorted(os.walk(pub)):
                for n in sorted(names):
                    if n.endswith(('.pcap', '.pcapng', '.cap', '.pcap.gz', '.pcapng.gz')):
                        one_capture(ck, a.binary, os.path.join(root, n))
        else:
            for f in files if not a.quick else []:
                one_capture(ck, a.binary, f, (1, 2))
            all_in_one(ck, a.binary, tmp, files)
            pcapng_copy(ck, a.binary, tmp, a.captures)
            big_file(ck, a.binary, tmp, a.captures)
    print(f'{ck.passed} passed, {ck.failed} failed')
    return 1 if ck.failed else 0


if __name__ == '__main__':
    sys.exit(main())
