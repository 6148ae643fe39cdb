#!/bin/bash
# Flow-table benchmark: wall time of the libpcap floor (benchmarks/floor)
# against capture + decode + flow table + reassembly with TLS off
# (benchmarks/flowbench), and peak RSS, on corpora from
# /work/shared/bench/make-corpus. Corpora and the release build live in
# $WORK (default /tmp/tlsd-bench); nothing is written into the tree.
#
#   benchmarks/run.sh [--size-mb N] [--flows N] [--runs N]
#
# Target: flowbench <= 1.5x floor, RSS sane.
set -euo pipefail
SRC=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
WORK=${WORK:-/tmp/tlsd-bench}
MAKE_CORPUS=${MAKE_CORPUS:-/work/shared/bench/make-corpus}
SIZE_MB=200
FLOWS=200000
RUNS=3
while [ $# -gt 0 ]; do
    case "$1" in
        --size-mb) SIZE_MB=$2; shift 2 ;;
        --flows) FLOWS=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        *) echo "usage: $0 [--size-mb N] [--flows N] [--runs N]" >&2; exit 2 ;;
    esac
done
mkdir -p "$WORK"
BUILD=$WORK/build
if [ ! -f "$BUILD/build.ninja" ]; then
    # werror off: this build only measures (gcc -O3 warns where -O2 does not)
    meson setup "$BUILD" "$SRC" --buildtype=release -Dwerror=false -Dtests=disabled >/dev/null
fi
ninja -C "$BUILD" -j2 benchmarks/floor benchmarks/flowbench >/dev/null

SIZED=$WORK/corpus-${SIZE_MB}m.pcap
FLOWSF=$WORK/flows-${FLOWS}.pcap
[ -s "$SIZED" ] || "$MAKE_CORPUS" --size-mb "$SIZE_MB" --no-truth "$SIZED" >/dev/null
[ -s "$FLOWSF" ] || "$MAKE_CORPUS" --flows "$FLOWS" --no-truth "$FLOWSF" >/dev/null

# Median of RUNS runs (by wall time): prints "wall_s cpu_s rss_kib".
# CPU (user + sys) is shown too: on a shared machine wall time also
# counts waiting for a core.
measure() {
    local out i
    out=$(mktemp "$WORK/time.XXXXXX")
    for i in $(seq "$RUNS"); do
        /usr/bin/time -f '%e %U %S %M' -o "$out" "$@" >/dev/null
        cat "$out"
    done | sort -n | awk -v n="$RUNS" '{w[NR]=$1; c[NR]=$2+$3; m[NR]=$4}
        END {k=int((n+1)/2); printf "%.2f %.2f %d\n", w[k], c[k], m[k]}'
    rm -f "$out"
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'
}

printf '%-20s %-22s %7s %7s %7s %10s\n' corpus program wall_s cpu_s x_floor peak_rss
for f in "$SIZED" "$FLOWSF"; do
    cat "$f" >/dev/null # page cache
    read -r fw fc fm < <(measure "$BUILD/benchmarks/floor" "$f")
    read -r dw dc dm < <(measure "$BUILD/benchmarks/flowbench" --decode-only "$f")
    read -r bw bc bm < <(measure "$BUILD/benchmarks/flowbench" "$f")
    n=$(basename "$f")
    printf '%-20s %-22s %7s %7s %7s %6s KiB\n' "$n" floor "$fw" "$fc" 1.00 "$fm"
    printf '%-20s %-22s %7s %7s %7s %6s KiB\n' "$n" "capture+decode" "$dw" "$dc" \
        "$(ratio "$dw" "$fw")" "$dm"
    printf '%-20s %-22s %7s %7s %7s %6s KiB\n' "$n" "flowbench (TLS off)" "$bw" "$bc" \
        "$(ratio "$bw" "$fw")" "$bm"
done
echo
for f in "$SIZED" "$FLOWSF"; do
    "$BUILD/benchmarks/flowbench" "$f"
done
