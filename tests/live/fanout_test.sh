#!/usr/bin/env bash
# --fanout: two `tlsdiag -i lo --fanout G` processes share one interface.
# 16 failing OpenSSL handshakes (no shared cipher) on loopback: every
# connection must be reported by exactly one of them, with both directions
# (the failure needs the server's alert), and both must get some (the
# kernel's flow hash spreads them; all 16 on one side has odds 2^-15).
# A third process with another group sees everything. Runs in a private
# network namespace. Exit 77 = skipped (meson).
set -euo pipefail
BIN=$(readlink -f "$1")
# shellcheck source=netns_setup.sh
. "$(dirname "$(readlink -f "$0")")/netns_setup.sh" fanout.test "$@"
port=46444
n=16

start() { # name, tlsdiag options...
	local name=$1
	shift
	"$BIN" -i lo -T json "$@" "tcp port $port" > "$work/$name.json" 2> "$work/$name.err" &
	pids+=("$!")
	eval "${name}_pid=$!"
}
start a --fanout 4242
start b --fanout 4242
start all --fanout 4243
sleep 1
for p in a b all; do
	pid_var=${p}_pid
	kill -0 "${!pid_var}" || { echo "FAIL: tlsdiag $p exited"; cat "$work/$p.err"; exit 1; }
done
openssl s_server -accept "$port" -cert "$work/c.pem" -key "$work/k.pem" -tls1_2 \
	-cipher AES256-SHA -quiet > /dev/null 2>&1 &
pids+=("$!")
sleep 0.5
for _ in $(seq 1 "$n"); do
	echo | timeout 5 openssl s_client -connect 127.0.0.1:$port -tls1_2 \
		-cipher ECDHE-RSA-AES128-GCM-SHA256 > /dev/null 2>&1 || true
done
sleep 0.5
for p in a b all; do
	pid_var=${p}_pid
	kill -INT "${!pid_var}"
	wait "${!pid_var}" || true
done
fails=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fails=$((fails+1)); fi; }
ports() { # client ports of the no_shared_cipher failures in a report file
	grep '"no_shared_cipher"' "$work/$1.json" |
		grep -o '"client":{"ip":"[^"]*","port":[0-9]*' | grep -o '[0-9]*$' | sort -n
}
ports a > "$work/a.ports"
ports b > "$work/b.ports"
ports all > "$work/all.ports"
na=$(wc -l < "$work/a.ports")
nb=$(wc -l < "$work/b.ports")
nall=$(wc -l < "$work/all.ports")
echo "group 4242: $na + $nb connections; group 4243 alone: $nall"
check "the process alone in its group sees all $n" "[ $nall -eq $n ]"
check "the two members together see all $n, none twice" \
	"[ \$((na + nb)) -eq $n ] && [ -z \"\$(comm -12 $work/a.ports $work/b.ports)\" ]"
check "what they see is what the lone process sees" \
	"sort -n $work/a.ports $work/b.ports | cmp -s - $work/all.ports"
check "both members got connections" "[ $na -gt 0 ] && [ $nb -gt 0 ]"
check "no member reports a half connection" \
	"! grep -hq '\"outcome\":\"incomplete\"' $work/a.json $work/b.json"
rc=0
"$BIN" -T json --fanout 1 "$work/none.pcap" > /dev/null 2> "$work/usage.err" || rc=$?
check "--fanout without -i is a usage error" "[ $rc -eq 2 ] && grep -q 'needs -i' $work/usage.err"
echo "$((6 - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
