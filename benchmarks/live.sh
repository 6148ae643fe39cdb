#!/bin/bash
# Live capture benchmark (issue 10): does `tlsdiag -i` keep up, and does it
# drop more than tcpdump on the same interface in the same run?
#
# Two network namespaces joined by a veth pair: the capture is replayed into
# one end with tcpreplay, and on the other end `tlsdiag -i` (text reports,
# --stats) and `tcpdump -w /dev/null` (its defaults: 2 MiB buffer, no
# immediate mode) listen side by side. For each rate it prints what
# tcpreplay sent, and for both programs the packets the kernel passed to
# them ("received by filter", which includes the dropped ones), the
# kernel's drops, the packets tlsdiag read (its --stats count), and their
# CPU time (user + sys, /usr/bin/time).
#
#   benchmarks/live.sh [--corpus FILE] [--bin TLSDIAG] [--rate topspeed|MBPS]...
#                      [-- TLSDIAG-OPTIONS...]
#
# Default rates: topspeed and 100 (Mbps). Default corpus: the 100 MiB cut of
# corpus-1g (its first 131,248 packets, as in /work/shared/bench/README.md),
# $WORK/cut-1g-100m.pcap, made from /tmp/corpus-1g.pcap or a corpus made in
# $WORK with make-corpus --seed 1; without make-corpus, every capture of
# captures/ merged (mergecap) and replayed 200 times. Default binary: a
# release build in $WORK/build (WORK=/tmp/tlsd-live-bench); nothing is
# written into the tree. Needs root (ip netns, veth), tcpreplay, tcpdump.
# The machine may be shared: one run is one sample.
set -euo pipefail
SRC=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
WORK=${WORK:-/tmp/tlsd-live-bench}
MAKE_CORPUS=${MAKE_CORPUS:-/work/shared/bench/make-corpus}
CORPUS=
BIN=
RATES=()
EXTRA=()
while [ $# -gt 0 ]; do
    case "$1" in
        --corpus) CORPUS=$2; shift 2 ;;
        --bin) BIN=$2; shift 2 ;;
        --rate) RATES+=("$2"); shift 2 ;;
        --) shift; EXTRA=("$@"); break ;;
        *) echo "usage: $0 [--corpus FILE] [--bin TLSDIAG] [--rate topspeed|MBPS]..." \
                "[-- TLSDIAG-OPTIONS...]" >&2
           exit 2 ;;
    esac
done
[ ${#RATES[@]} -gt 0 ] || RATES=(topspeed 100)
[ "$(id -u)" = 0 ] || { echo "$0: needs root (ip netns, veth)" >&2; exit 1; }
for t in ip tcpreplay tcpdump; do
    command -v "$t" >/dev/null || { echo "$0: needs $t" >&2; exit 1; }
done
mkdir -p "$WORK"

if [ -z "$BIN" ]; then
    BUILD=$WORK/build
    if [ ! -f "$BUILD/build.ninja" ]; then
        meson setup "$BUILD" "$SRC" --buildtype=release -Dwerror=false -Dtests=disabled >/dev/null
    fi
    ninja -C "$BUILD" -j2 tlsdiag >/dev/null
    BIN=$BUILD/tlsdiag
fi
BIN=$(readlink -f "$BIN")

LOOP=1
if [ -z "$CORPUS" ]; then
    CORPUS=$WORK/cut-1g-100m.pcap
    if [ ! -s "$CORPUS" ] && [ -x "$MAKE_CORPUS" ] && command -v editcap >/dev/null; then
        big=/tmp/corpus-1g.pcap
        if [ ! -s "$big" ]; then
            big=$WORK/corpus-1g.pcap
            [ -s "$big" ] || "$MAKE_CORPUS" --seed 1 --no-truth "$big" >/dev/null
        fi
        editcap -F pcap -r "$big" "$CORPUS" 1-131248
    elif [ ! -s "$CORPUS" ]; then
        CORPUS=$WORK/captures.pcap
        mergecap -F pcap -a -w "$CORPUS" "$SRC"/captures/*.pcap
        LOOP=200
    fi
fi

NS_TX=tlsdlive-tx-$$
NS_RX=tlsdlive-rx-$$
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    ip netns del "$NS_TX" 2>/dev/null || true
    ip netns del "$NS_RX" 2>/dev/null || true
}
trap cleanup EXIT

ip netns add "$NS_TX"
ip netns add "$NS_RX"
ip link add vtx netns "$NS_TX" type veth peer name vrx netns "$NS_RX"
for ns in "$NS_TX" "$NS_RX"; do
    # no IPv6 chatter (router solicitations) mixed into the replay
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
    ip -n "$ns" link set lo up
done
ip -n "$NS_TX" link set vtx up
ip -n "$NS_RX" link set vrx up # MTU 1500, as Ethernet (the corpus: MSS 1448)

# "N packets received by filter" and "M [packets] dropped by kernel": tcpdump
# and tlsdiag both say it so on standard error (on one line or two).
kernel_count() { # file "received by filter"|"dropped by kernel"
    grep -o "[0-9][0-9]* \(packets \)\{0,1\}$2" "$1" | tail -1 | cut -d' ' -f1
}
cpu() { awk '!/^Command/ {printf "%.2f", $1 + $2}' "$1"; }

# Waits (up to 10 s) until a listener says it is listening.
wait_listening() {
    for _ in $(seq 100); do
        grep -q 'listening on' "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "$0: $2 did not start:" >&2
    cat "$1" >&2
    return 1
}

echo "live: $(basename "$BIN") $("$BIN" --version 2>/dev/null | head -1) at $BIN;" \
    "corpus $(basename "$CORPUS") x$LOOP; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg);" \
    "$(date -u +%FT%TZ)"
printf '%-9s %-8s %9s %9s %9s %8s %9s %7s\n' rate program sent received dropped drop% \
    read cpu_s
for rate in "${RATES[@]}"; do
    r=$WORK/run-$rate
    rm -f "$r".*
    ip netns exec "$NS_RX" /usr/bin/time -f '%U %S %M' -o "$r.tlsdiag.time" \
        "$BIN" -i vrx --stats "${EXTRA[@]}" >"$r.tlsdiag.out" 2>"$r.tlsdiag.err" &
    tl=$!
    PIDS+=("$tl")
    ip netns exec "$NS_RX" /usr/bin/time -f '%U %S %M' -o "$r.tcpdump.time" \
        tcpdump -i vrx -w /dev/null 2>"$r.tcpdump.err" &
    td=$!
    PIDS+=("$td")
    wait_listening "$r.tlsdiag.err" tlsdiag
    wait_listening "$r.tcpdump.err" tcpdump
    sleep 0.5
    if [ "$rate" = topspeed ]; then
        speed=(--topspeed)
    else
        speed=(--mbps "$rate")
    fi
    ip netns exec "$NS_TX" tcpreplay -i vtx "${speed[@]}" --loop "$LOOP" "$CORPUS" \
        >"$r.tcpreplay" 2>&1
    sleep 2 # both drain their rings
    # /usr/bin/time waits for its child: interrupt the child itself
    for t in "$tl" "$td"; do
        c=$(pgrep -P "$t" || true)
        [ -n "$c" ] && kill -INT "$c"
    done
    wait "$tl" || true
    wait "$td" || true
    PIDS=()
    sent=$(sed -n 's/.*Actual: \([0-9]*\) packets.*/\1/p' "$r.tcpreplay")
    rated=$(sed -n 's/.*Rated: [0-9.]* Bps, \([0-9.]*\) Mbps.*/\1/p' "$r.tcpreplay")
    failed=$(sed -n 's/.*Failed packets: *\([0-9]*\).*/\1/p' "$r.tcpreplay")
    for prog in tlsdiag tcpdump; do
        recv=$(kernel_count "$r.$prog.err" "received by filter")
        drop=$(kernel_count "$r.$prog.err" "dropped by kernel")
        readn=-
        [ "$prog" = tlsdiag ] && readn=$(awk '/^Statistics:/ {s = 1}
            s && $1 == "packets:" {print $2; exit}' "$r.tlsdiag.out")
        [ "$prog" = tcpdump ] &&
            readn=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$r.tcpdump.err")
        printf '%-9s %-8s %9s %9s %9s %8s %9s %7s\n' "$rate" "$prog" "${sent:-?}" "${recv:-?}" \
            "${drop:-?}" "$(awk -v d="$drop" -v n="$recv" 'BEGIN {printf "%.2f", n ? 100 * d / n : 0}')" \
            "${readn:-?}" "$(cpu "$r.$prog.time")"
    done
    echo "          (tcpreplay: ${rated:-?} Mbps, ${failed:-?} failed sends)"
done
