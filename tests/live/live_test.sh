#!/usr/bin/env bash
# Live mode: `tlsdiag -i lo` with a filter on a test port while a failing
# OpenSSL handshake (no shared cipher) runs; the report must appear before
# tlsdiag is stopped (within a second of the handshake's end), and SIGINT
# must end it cleanly with kernel counters (stderr and --stats), which are
# checked against a tcpdump listening beside it.
# Runs in a private network namespace. Exit 77 = skipped (meson).
set -euo pipefail
BIN=$(readlink -f "$1")
# shellcheck source=netns_setup.sh
. "$(dirname "$(readlink -f "$0")")/netns_setup.sh" live.test "$@"
port=46443

"$BIN" -i lo -T json --all --stats "tcp port $port" > "$work/out.json" 2> "$work/err.txt" &
tpid=$!
pids+=("$tpid")
tcpdump=0
if command -v tcpdump >/dev/null; then
	# Immediate mode: tcpdump's own block timeout is 1 s, and it drops
	# what its unfinished block holds when it is stopped sooner than that.
	tcpdump -i lo --immediate-mode -w "$work/ref.pcap" "tcp port $port" 2> "$work/tcpdump.txt" &
	dpid=$!
	pids+=("$dpid")
	tcpdump=1
fi
sleep 1
openssl s_server -accept "$port" -cert "$work/c.pem" -key "$work/k.pem" -tls1_2 \
	-cipher AES256-SHA -quiet > /dev/null 2>&1 &
pids+=("$!")
sleep 0.5
echo | timeout 5 openssl s_client -connect 127.0.0.1:$port -tls1_2 \
	-cipher ECDHE-RSA-AES128-GCM-SHA256 > /dev/null 2>&1 || true
ended=$(date +%s%N)
# The report must come out while tlsdiag is still running (live use), and
# soon: the kernel hands packets over in blocks, at least every 100 ms.
for _ in $(seq 1 50); do
	grep -q '"outcome"' "$work/out.json" && break
	sleep 0.05
done
latency_ms=$((($(date +%s%N) - ended) / 1000000))
echo "report seen ${latency_ms} ms after the client ended"
kill -0 "$tpid" || { echo "FAIL: tlsdiag exited early"; cat "$work/err.txt"; exit 1; }
grep -q '"outcome"' "$work/out.json" || { echo "FAIL: no report before stop"; cat "$work/err.txt"; exit 1; }
sleep 0.3
kill -INT "$tpid"
wait "$tpid" || rc=$?
rc=${rc:-0}
if [ "$tcpdump" = 1 ]; then
	kill -INT "$dpid"
	wait "$dpid" || true
fi
fails=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fails=$((fails+1)); fi; }
line="$work/line.json"
grep '"outcome"' "$work/out.json" | head -1 > "$line"
cat "$line"
check "outcome failed" "grep -qF '\"outcome\":\"failed\"' '$line'"
check "step server_hello" "grep -qF '\"failed_step\":\"server_hello\"' '$line'"
check "server alert 40" "grep -qF '\"code\":40,' '$line' && grep -qF '\"sender\":\"server\"' '$line'"
check "no_shared_cipher" "grep -qF '\"code\":\"no_shared_cipher\"' '$line'"
check "exit 1 after SIGINT (a failure was seen)" "[ $rc -eq 1 ]"
check "kernel counters on stderr" "grep -q 'packets received by filter' '$work/err.txt'"
check "report within a second" "[ $latency_ms -lt 1000 ]"
stats=$(grep '"type":"stats"' "$work/out.json" || true)
echo "$stats"
num() { echo "$stats" | grep -o "\"$1\":[0-9]*" | head -1 | cut -d: -f2; }
packets=$(num packets)
received=$(num received)
check "--stats has the kernel counters, none dropped" \
	"[ -n '$received' ] && [ '$(num dropped)' = 0 ] && [ '$(num interface_dropped)' = 0 ]"
# The kernel counts the packets that passed the filter, before libpcap
# skips loopback's outgoing copy of each: at least what was read.
check "kernel received >= packets read" "[ '${received:-0}' -ge '${packets:-1}' ]"
n=8
if [ "$tcpdump" = 1 ]; then
	ref=$(tcpdump -r "$work/ref.pcap" 2>/dev/null | wc -l)
	echo "tcpdump captured $ref packets, tlsdiag read $packets"; cat "$work/tcpdump.txt"
	check "packets read = tcpdump's" "[ '$ref' -gt 0 ] && [ '$ref' = '$packets' ]"
	n=9
fi
echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
