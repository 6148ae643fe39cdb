#!/bin/bash
# One benchmark run, everything on the same machine in one go:
#   floor          benchmarks/floor: libpcap's pcap_next_ex loop and nothing
#                  else (the floor of /work/shared/bench/PEERS.md)
#   floor-64k      the same loop through a 64 KiB stdio buffer, as tlsdiag
#                  reads files (libpcap's own fopen reads 4 KiB per read())
#   flowbench      capture + decode + flow table + reassembly, TLS off
#   tlsdiag        tlsdiag --threads 1 F > /dev/null (text, failed handshakes only)
#   tlsdiag-json   tlsdiag --threads 1 -T json --all F > /dev/null
#   tlsdiag-t2     tlsdiag --threads 2 F > /dev/null (TCP on 2 worker threads), and
#                  its wall-time speedup over --threads 1 (the machine must be idle),
#                  from the rows and from N pairs of runs back to back
# on each corpus: median of N runs (after one warm-up run) of CPU time
# (user + sys) and wall time, peak RSS, and the ratio to the floor (CPU).
# With tshark installed, also tshark, the floor and tlsdiag on a cut of the
# first corpus (its first 131,248 packets = 100 MiB of corpus-1g.pcap, as in
# PEERS.md) for the ratios against tshark and the floor. With perf, the
# startup cost (task-clock of a one-connection capture).
#
# With --pcapng, each corpus is also converted with `editcap -F pcapng` (into
# $WORK) and read by libpcap (floor-64k), by our pcapng reader through the
# capture front end (capfloor), and by tlsdiag: the reader must not cost
# more than libpcap's (capfloor / floor-64k <= 1).
#
# With --live (root), also benchmarks/live.sh with the same build on the
# 100 MiB cut of the first corpus: tlsdiag -i and tcpdump on a veth pair,
# the capture replayed at top speed and at 100 Mbit/s, both drop counts.
#
#   benchmarks/run.sh [--runs N] [--corpus FILE]... [--no-tshark] [--no-lto] [--pcapng] [--live]
#
# Without --corpus: /tmp/corpus-1g.pcap and /tmp/flows-1m.pcap when they
# exist, else they are made in $WORK with /work/shared/bench/make-corpus
# (--seed 1, and --flows 1000000 --seed 1). The release build lives in
# $WORK/build (default WORK=/tmp/tlsd-bench); nothing is written into the
# tree. The machine may be shared: CPU time is the figure to compare,
# wall time also counts waiting for a core.
set -euo pipefail
SRC=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
WORK=${WORK:-/tmp/tlsd-bench}
MAKE_CORPUS=${MAKE_CORPUS:-/work/shared/bench/make-corpus}
RUNS=5
TSHARK=1
LTO=true # as the Debian package is built (debian/rules)
PCAPNG=0
LIVE=0
CORPORA=()
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS=$2; shift 2 ;;
        --corpus) CORPORA+=("$2"); shift 2 ;;
        --no-tshark) TSHARK=0; shift ;;
        --lto) LTO=true; shift ;;
        --no-lto) LTO=false; shift ;;
        --pcapng) PCAPNG=1; shift ;;
        --live) LIVE=1; shift ;;
        *) echo "usage: $0 [--runs N] [--corpus FILE]... [--no-tshark] [--no-lto] [--pcapng]" \
                "[--live]" >&2
           exit 2 ;;
    esac
done
mkdir -p "$WORK"
BUILD=$WORK/build
if [ ! -f "$BUILD/build.ninja" ]; then
    # werror off: this build only measures (gcc -O3 warns where -O2 does not)
    meson setup "$BUILD" "$SRC" --buildtype=release -Dwerror=false -Dtests=disabled >/dev/null
fi
meson configure "$BUILD" -Db_lto="$LTO" >/dev/null
ninja -C "$BUILD" -j2 tlsdiag benchmarks/floor benchmarks/flowbench benchmarks/capfloor \
    benchmarks/rtime >/dev/null

if [ ${#CORPORA[@]} -eq 0 ]; then
    for spec in "corpus-1g.pcap:--seed 1" "flows-1m.pcap:--flows 1000000 --seed 1"; do
        name=${spec%%:*}
        if [ -s "/tmp/$name" ]; then
            CORPORA+=("/tmp/$name")
        else
            # shellcheck disable=SC2086 # the options are words
            [ -s "$WORK/$name" ] || "$MAKE_CORPUS" ${spec#*:} --no-truth "$WORK/$name" >/dev/null
            CORPORA+=("$WORK/$name")
        fi
    done
fi

# Times one run of "$@" into file $1: "wall user sys maxrss_kib"
# (benchmarks/rtime.c: microseconds, where /usr/bin/time's hundredths left
# the cut's 10-20 ms floor one digit).
timed() { # out cmd...
    "$BUILD/benchmarks/rtime" "$@"
}

# Runs "$@" once to warm up, then RUNS times; prints
# "cpu_median cpu_min cpu_max wall_median rss_kib_max".
measure() {
    local out
    out=$(mktemp "$WORK/time.XXXXXX")
    "$@" >/dev/null 2>&1 || true
    for _ in $(seq "$RUNS"); do
        timed "$out" "$@"
        cat "$out"
    done | awk '{print $2 + $3, $1, $4}' | sort -n | awk '
        {c[NR] = $1; w[NR] = $2; if ($3 > m) m = $3}
        END {
            k = int((NR + 1) / 2)
            # wall: median of its own column
            n = NR; for (i = 1; i <= n; i++) ws[i] = w[i]
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
                if (ws[j] < ws[i]) {t = ws[i]; ws[i] = ws[j]; ws[j] = t}
            printf "%.3f %.3f %.3f %.3f %d\n", c[k], c[1], c[NR], ws[k], m
        }'
    rm -f "$out"
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'
}

# Wall-time speedup of --threads 2 over --threads 1, the two run in pairs
# (one, then the other, RUNS times) and the median of the pairs' ratios
# printed with their range: on a machine whose speed drifts between runs,
# rows measured minutes apart can disagree on the ratio (0.90x and 1.52x
# in two runs of the same commit, README).
paired_speedup() { # file
    local out
    out=$(mktemp "$WORK/time.XXXXXX")
    for _ in $(seq "$RUNS"); do
        timed "$out" "$BUILD/tlsdiag" --threads 1 "$1"
        w1=$(cut -d' ' -f1 "$out")
        timed "$out" "$BUILD/tlsdiag" --threads 2 "$1"
        w2=$(cut -d' ' -f1 "$out")
        ratio "$w1" "$w2"
        echo
    done | sort -n | awk '{r[NR] = $1} END {printf "%.2fx [%.2f-%.2f]", r[int((NR + 1) / 2)], r[1], r[NR]}'
    rm -f "$out"
}

row() { # corpus program cpu_med cpu_min cpu_max wall rss floor_cpu
    printf '%-16s %-14s %6s [%s-%s] %7s %9s %7s\n' "$1" "$2" "$3" "$4" "$5" "$6" \
        "$(awk -v k="$7" 'BEGIN {printf "%.0f MiB", k / 1024}')" "$(ratio "$3" "$8")"
}

echo "tlsdiag $(git -C "$SRC" describe --always --dirty 2>/dev/null || echo '?'), $(date -u +%FT%TZ)," \
    "$(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $RUNS runs (median), lto=$LTO"
printf '%-16s %-14s %6s %-11s %7s %9s %7s\n' corpus program cpu_s '[min-max]' wall_s peak_rss x_floor
for f in "${CORPORA[@]}"; do
    n=$(basename "$f")
    cat "$f" >/dev/null # page cache
    read -r fc fmin fmax fw fm < <(measure "$BUILD/benchmarks/floor" "$f")
    row "$n" floor "$fc" "$fmin" "$fmax" "$fw" "$fm" "$fc"
    read -r c mi ma w m < <(measure "$BUILD/benchmarks/floor" -b 64 "$f")
    row "$n" floor-64k "$c" "$mi" "$ma" "$w" "$m" "$fc"
    read -r c mi ma w m < <(measure "$BUILD/benchmarks/flowbench" "$f")
    row "$n" flowbench "$c" "$mi" "$ma" "$w" "$m" "$fc"
    read -r c mi ma w m < <(measure "$BUILD/tlsdiag" --threads 1 "$f")
    row "$n" tlsdiag "$c" "$mi" "$ma" "$w" "$m" "$fc"
    w1=$w
    read -r c mi ma w m < <(measure "$BUILD/tlsdiag" --threads 1 -T json --all "$f")
    row "$n" tlsdiag-json "$c" "$mi" "$ma" "$w" "$m" "$fc"
    read -r c mi ma w m < <(measure "$BUILD/tlsdiag" --threads 2 "$f")
    row "$n" tlsdiag-t2 "$c" "$mi" "$ma" "$w" "$m" "$fc"
    echo "$n: --threads 2 wall speedup over --threads 1 (text): $(ratio "$w1" "$w")x;" \
        "in $RUNS pairs run back to back: $(paired_speedup "$f")"
done

if [ "$PCAPNG" = 1 ]; then
    echo
    echo "pcapng (editcap -F pcapng of each corpus): libpcap's loop, our reader, tlsdiag"
    for f in "${CORPORA[@]}"; do
        ng=$WORK/$(basename "$f" .pcap).pcapng
        [ -s "$ng" ] || editcap -F pcapng "$f" "$ng"
        n=$(basename "$ng")
        cat "$ng" >/dev/null
        read -r fc fmin fmax fw fm < <(measure "$BUILD/benchmarks/floor" -b 64 "$ng")
        row "$n" floor-64k "$fc" "$fmin" "$fmax" "$fw" "$fm" "$fc"
        read -r c mi ma w m < <(measure "$BUILD/benchmarks/capfloor" "$ng")
        row "$n" capfloor "$c" "$mi" "$ma" "$w" "$m" "$fc"
        read -r c mi ma w m < <(measure "$BUILD/tlsdiag" --threads 1 "$ng")
        row "$n" tlsdiag "$c" "$mi" "$ma" "$w" "$m" "$fc"
    done
fi

if [ "$TSHARK" = 1 ] && command -v tshark >/dev/null && command -v editcap >/dev/null; then
    cut=$WORK/cut-$(basename "${CORPORA[0]}")
    [ -s "$cut" ] || editcap -F pcap -r "${CORPORA[0]}" "$cut" 1-131248
    echo
    echo "tshark on $(basename "$cut") (first 131,248 packets of $(basename "${CORPORA[0]}")), 3 runs:"
    saved=$RUNS
    RUNS=3
    read -r tc tmin tmax tw tm < <(measure tshark -r "$cut" -Y tls.alert_message -T fields \
        -e ip.src -e tls.alert_message.desc)
    RUNS=$saved
    read -r fc fmi fma fw fm < <(measure "$BUILD/benchmarks/floor" "$cut")
    read -r c mi ma w m < <(measure "$BUILD/tlsdiag" --threads 1 "$cut")
    read -r jc jmi jma jw jm < <(measure "$BUILD/tlsdiag" --threads 1 -T json --all "$cut")
    printf '%-16s %-14s %6s [%s-%s] %7s %9s\n' cut tshark "$tc" "$tmin" "$tmax" "$tw" \
        "$(awk -v k="$tm" 'BEGIN {printf "%.0f MiB", k / 1024}')"
    row cut floor "$fc" "$fmi" "$fma" "$fw" "$fm" "$fc"
    printf '%-16s %-14s %6s [%s-%s] %7s %9s %7s   tshark / tlsdiag = %s\n' cut tlsdiag "$c" \
        "$mi" "$ma" "$w" "$(awk -v k="$m" 'BEGIN {printf "%.0f MiB", k / 1024}')" \
        "$(ratio "$c" "$fc")" "$(ratio "$tc" "$c")"
    printf '%-16s %-14s %6s [%s-%s] %7s %9s %7s   tshark / tlsdiag = %s\n' cut tlsdiag-json \
        "$jc" "$jmi" "$jma" "$jw" "$(awk -v k="$jm" 'BEGIN {printf "%.0f MiB", k / 1024}')" \
        "$(ratio "$jc" "$fc")" "$(ratio "$tc" "$jc")"
fi
if command -v perf >/dev/null; then
    # Startup: a one-connection capture, task-clock (CPU) of 30 runs.
    one=$SRC/captures/alpn_mismatch.pcap
    # (tlsdiag exits 1: the capture has a failed handshake)
    ms=$({ perf stat -r 30 -x, -e task-clock "$BUILD/tlsdiag" --threads 1 "$one" 2>&1 >/dev/null ||
        true; } | awk -F, '/task-clock/ {printf "%.1f", $1}')
    echo
    echo "startup: tlsdiag --threads 1 $(basename "$one") (one connection): $ms ms task-clock," \
        "mean of 30 runs"
fi
echo
for f in "${CORPORA[@]}"; do
    "$BUILD/benchmarks/flowbench" "$f" | sed "s|^|$(basename "$f"): |"
done

if [ "$LIVE" = 1 ]; then
    cut=$WORK/cut-$(basename "${CORPORA[0]}")
    [ -s "$cut" ] || editcap -F pcap -r "${CORPORA[0]}" "$cut" 1-131248
    echo
    WORK=$WORK/live "$SRC/benchmarks/live.sh" --bin "$BUILD/tlsdiag" --corpus "$cut"
fi
