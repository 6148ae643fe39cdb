#!/bin/bash
# Runs one tlsdiag binary over every capture in captures/ and in
# ../shared/captures-public and writes what it says into OUT_DIR, one file
# per capture and mode, so that two builds (or two --threads values) can be
# compared with `diff -r`:
#   NAME.json  -T json --all --summary --stats  (every report, the summary
#              and the counters)
#   NAME.txt   --all --summary --color=never    (the text reporter)
#   NAME.default.txt  --summary --color=never    (what is shown by default)
#   NAME.keylog.json  the JSON again with --keylog NAME.keylog, when there is one
# Nothing is filtered out: every field tlsdiag prints is derived from the
# capture (its timestamps included), none from the wall clock, so two runs
# over the same capture must agree byte for byte.
#
#   benchmarks/verdicts.sh [-b TLSDIAG] [-j JOBS] OUT_DIR [extra tlsdiag options...]
#   benchmarks/verdicts.sh -b build/tlsdiag /tmp/before
#   ...change, rebuild...
#   benchmarks/verdicts.sh -b build/tlsdiag /tmp/after && diff -r /tmp/before /tmp/after
set -euo pipefail
SRC=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
BIN=$SRC/build/tlsdiag
JOBS=2
PUBLIC=$(readlink -f "${PUBLIC:-$SRC/../shared/captures-public}")
while getopts b:j: o; do
    case $o in
        b) BIN=$(readlink -f "$OPTARG") ;;
        j) JOBS=$OPTARG ;;
        *) echo "usage: $0 [-b TLSDIAG] [-j JOBS] OUT_DIR [tlsdiag options...]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [-b TLSDIAG] [-j JOBS] OUT_DIR [tlsdiag options...]" >&2; exit 2; }
OUT=$1
shift
mkdir -p "$OUT"
export BIN OUT SRC PUBLIC
one() {
    local f=$1 name
    shift
    name=${f#"$SRC/"}
    name=${name/#"$PUBLIC/"/public/}
    name=${name//\//_}
    "$BIN" "$@" -T json --all --summary --stats "$f" >"$OUT/$name.json" 2>&1 || true
    "$BIN" "$@" --all --summary --color=never "$f" >"$OUT/$name.txt" 2>&1 || true
    "$BIN" "$@" --summary --color=never "$f" >"$OUT/$name.default.txt" 2>&1 || true
    if [ -f "${f%.*}.keylog" ]; then
        "$BIN" "$@" -T json --all --summary --keylog "${f%.*}.keylog" "$f" \
            >"$OUT/$name.keylog.json" 2>&1 || true
    fi
}
export -f one
{
    find "$SRC/captures" -maxdepth 1 -name '*.pcap' -print0
    [ -d "$PUBLIC" ] && find "$PUBLIC" -type f \( -name '*.pcap' -o -name '*.pcapng' \
        -o -name '*.cap' -o -name '*.pcap.gz' -o -name '*.pcapng.gz' \) -print0
} | sort -z | xargs -0 -P "$JOBS" -I{} bash -c 'one "$@"' _ {} "$@"
echo "$(find "$OUT" -type f | wc -l) outputs in $OUT"
