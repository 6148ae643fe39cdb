#!/bin/bash
# Two builds compared in the same stretch of time: every case runs with
# build A then build B, round after round, and the medians of CPU (user +
# sys), wall time and peak RSS are printed with B's change. On a VM whose
# speed drifts between runs (README, Performance), this is what tells a
# change from the drift; benchmarks/run.sh gives the ratios to the floor.
#
#   benchmarks/ab.sh [-n ROUNDS] [-k REGEX] A_TLSDIAG B_TLSDIAG [CORPUS_DIR]
#
# -k keeps only the cases whose name matches REGEX (grep -E), e.g.
# -k 'flows' or -k 'threads 2'.
#
# CORPUS_DIR (default /tmp/perf-bench) holds corpus-1g.pcap, flows-1m.pcap
# and cut-corpus-1g.pcap (its first 131,248 packets); see run.sh.
set -euo pipefail
N=5 KEEP=.
while [ $# -gt 0 ]; do
    case $1 in
        -n) N=$2; shift 2 ;;
        -k) KEEP=$2; shift 2 ;;
        *) break ;;
    esac
done
[ $# -ge 2 ] || { echo "usage: $0 [-n ROUNDS] [-k REGEX] A_TLSDIAG B_TLSDIAG [CORPUS_DIR]" >&2; exit 2; }
A=$1 B=$2 C=${3:-/tmp/perf-bench}
cases=("corpus-1g text|--threads 1 $C/corpus-1g.pcap"
       "corpus-1g --threads 2|--threads 2 $C/corpus-1g.pcap"
       "corpus-1g json --all|--threads 1 -T json --all $C/corpus-1g.pcap"
       "cut text|--threads 1 $C/cut-corpus-1g.pcap"
       "cut json --all|--threads 1 -T json --all $C/cut-corpus-1g.pcap"
       "flows-1m text|--threads 1 $C/flows-1m.pcap"
       "flows-1m --threads 2|--threads 2 $C/flows-1m.pcap"
       "flows-1m json --all|--threads 1 -T json --all $C/flows-1m.pcap")
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
for _ in $(seq "$N"); do
    # Into the page cache each round: kdamond (DAMON pageout) evicts
    # files left idle, and a round read from disk times the disk.
    cat "$C/corpus-1g.pcap" "$C/flows-1m.pcap" "$C/cut-corpus-1g.pcap" >/dev/null
    for c in "${cases[@]}"; do
        name=${c%%|*} args=${c#*|}
        grep -qE -- "$KEEP" <<<"$name" || continue
        for v in A B; do
            bin=$A
            [ $v = B ] && bin=$B
            # tlsdiag exits 1 when a handshake failed: not an error here.
            # shellcheck disable=SC2086 # args are words
            { /usr/bin/time -f "$name|$v|%e|%U|%S|%M" "$bin" $args 2>&1 >/dev/null || true; } |
                tail -1 >> "$raw"
        done
    done
done
python3 - "$raw" <<'PY'
import collections, statistics, sys
d = collections.defaultdict(lambda: collections.defaultdict(list))
for line in open(sys.argv[1]):
    p = line.rstrip("\n").split("|")
    if len(p) != 6:
        continue
    k = d[(p[0], p[1])]
    k["cpu"].append(float(p[3]) + float(p[4]))
    k["wall"].append(float(p[2]))
    k["rss"].append(int(p[5]))
print(f"{'case':24s} {'CPU s A -> B':24s} {'wall s A -> B':18s} peak RSS MiB A -> B")
for name in dict.fromkeys(k[0] for k in d):
    a, b = d[(name, "A")], d[(name, "B")]
    ca, cb = statistics.median(a["cpu"]), statistics.median(b["cpu"])
    wa, wb = statistics.median(a["wall"]), statistics.median(b["wall"])
    pct = f"{(cb / ca - 1) * 100:+4.0f} %" if ca > 0 else "   - "
    print(f"{name:24s} {ca:6.2f} -> {cb:6.2f} ({pct})  "
          f"{wa:6.2f} -> {wb:6.2f}    {max(a['rss']) // 1024} -> {max(b['rss']) // 1024}")
PY
