#!/usr/bin/env bash
# What `meson install` installs, the bash completion and the systemd unit.
#
# usage: tests/packaging/test_packaging.sh SRCDIR BUILDDIR
#
# - meson install (into a DESTDIR) gives exactly the binary, the man page,
#   the bash completion and tlsdiag@.service, and the installed binary runs;
# - the completion registers for tlsdiag and completes options, option
#   values, files and interfaces (bash, no bash-completion package needed);
# - tlsdiag@.service passes `systemd-analyze verify`, keeps its hardening
#   (`systemd-analyze security` exposure below 3.0), its ExecStart is the
#   installed binary, and (as root, with setpriv) the two capabilities it
#   grants are enough to capture as an unprivileged user, and needed;
# - debian/changelog's version is meson.build's.
# Prints "N passed, N failed"; exit 1 when a check failed.
set -uo pipefail
SRC=$1
BUILD=$2
passed=0
failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then ok; else fail "$what"; fi
}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# ---- meson install ------------------------------------------------------------
if meson install -C "$BUILD" --no-rebuild --destdir "$TMP/dest" >"$TMP/install.log" 2>&1; then
	ok
else
	fail "meson install: $(tail -3 "$TMP/install.log")"
fi
prefix=$(meson introspect "$BUILD" --buildoptions |
	python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])')
(cd "$TMP/dest$prefix" 2>/dev/null && find . -type f -o -type l | sed 's|^\./||' | sort) >"$TMP/files"
cat >"$TMP/want" <<'LIST'
bin/tlsdiag
lib/systemd/system/tlsdiag@.service
share/bash-completion/completions/tlsdiag
share/man/man1/tlsdiag.1
LIST
check "meson install gives $(tr '\n' ' ' <"$TMP/files")instead of $(tr '\n' ' ' <"$TMP/want")" \
	cmp -s "$TMP/files" "$TMP/want"
ver=$("$TMP/dest$prefix/bin/tlsdiag" --version 2>&1)
check "installed tlsdiag --version: $ver" grep -q "^tlsdiag " <<<"$ver"
unit=$TMP/dest$prefix/lib/systemd/system/tlsdiag@.service
check "unit ExecStart is not the installed binary" \
	grep -q "^ExecStart=$prefix/bin/tlsdiag --interface %I " "$unit"

# the Debian package's version is the project's
if command -v dpkg-parsechangelog >/dev/null; then
	dv=$(cd "$SRC" && dpkg-parsechangelog -S Version)
	mv=$(meson introspect "$BUILD" --projectinfo | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
	check "debian/changelog says $dv, meson.build $mv" test "$dv" = "$mv"
fi

# ---- bash completion ----------------------------------------------------------
comp=$SRC/completions/tlsdiag
complete_words() { # complete_words WORD... : the completions of the last word
	bash --norc --noprofile -c '
		source "$0" || exit 9
		COMP_WORDS=("$@")
		COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
		_tlsdiag
		printf "%s\n" "${COMPREPLY[@]}"' "$comp" "$@"
}
reg=$(bash --norc --noprofile -c 'source "$0" && complete -p tlsdiag' "$comp" 2>&1)
check "complete -p tlsdiag: $reg" test "$reg" = "complete -F _tlsdiag tlsdiag"
bin=$BUILD/tlsdiag
out=$(complete_words "$bin" --keyl)
check "--keyl completes to \"$out\"" test "$out" = "--keylog"
out=$(complete_words "$bin" --)
check "-- completes to the long options of --help" \
	test "$(grep -c -- '^--' <<<"$out")" -eq "$("$bin" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u | wc -l)"
out=$(complete_words "$bin" --keylog "$SRC/captures/tls12_ok.key")
check "--keylog FILE completes files: $out" test "$out" = "$SRC/captures/tls12_ok.keylog"
out=$(complete_words "$bin" "$SRC/captures/tls13_ok.pc")
check "a capture file completes: $out" test "$out" = "$SRC/captures/tls13_ok.pcap"
out=$(complete_words "$bin" --interface l)
check "--interface l completes to lo: $out" grep -qx lo <<<"$out"
out=$(complete_words "$bin" --color=al)
check "--color=al completes to always: $out" test "$out" = "always"
# Each format the completion offers is one the program accepts (exit 0/1,
# not the usage error 2), and it offers all four the man page names.
out=$(complete_words "$bin" --format "")
check "--format completes to the four formats: $(tr '\n' ' ' <<<"$out")" \
	test "$(sort <<<"$out" | tr '\n' ' ')" = "json line text zeek "
for f in $out; do
	"$bin" -q -T "$f" "$SRC/captures/tls12_ok.pcap" >/dev/null 2>&1
	rc=$?
	check "-T $f (completed) is accepted: exit $rc" test "$rc" -le 1
done
"$bin" -q -T bogus "$SRC/captures/tls12_ok.pcap" >/dev/null 2>&1
rc=$?
check "-T bogus is refused: exit $rc" test "$rc" -eq 2
out=$(complete_words "$bin" --min-confidence l)
check "--min-confidence l completes to likely: $out" test "$out" = "likely"
out=$(complete_words "$bin" --count "")
check "--count N completes nothing: $out" test -z "$out"

# ---- systemd unit -------------------------------------------------------------
for key in "CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN" "AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN" \
	"DynamicUser=yes" "ProtectSystem=strict" "NoNewPrivileges=yes" "ProtectHome=yes" \
	"StandardOutput=append:/var/log/tlsdiag/%i.jsonl"; do
	check "unit lacks $key" grep -qxF "$key" "$unit"
done
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$TMP/units"
	# verify wants the command to exist: the built binary stands in for the installed one
	sed "s|^ExecStart=$prefix/bin/tlsdiag|ExecStart=$(readlink -f "$bin")|" "$unit" \
		>"$TMP/units/tlsdiag@.service"
	cp "$TMP/units/tlsdiag@.service" "$TMP/units/tlsdiag@eth0.service"
	if v=$(cd "$TMP/units" && systemd-analyze verify --man=no ./tlsdiag@eth0.service 2>&1) && [ -z "$v" ]; then
		ok
	else
		fail "systemd-analyze verify: $v"
	fi
	sec=$(cd "$TMP/units" && systemd-analyze security --offline=true ./tlsdiag@eth0.service 2>&1 |
		sed -nE 's/.*Overall exposure level for [^:]*: ([0-9.]+).*/\1/p')
	check "systemd-analyze security exposure ${sec:-?} (want < 3.0)" \
		python3 -c "import sys; sys.exit(0 if '$sec' and float('$sec') < 3.0 else 1)"
else
	echo "systemd-analyze not found: unit checks skipped"
fi
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -e /sys/class/net/lo ]; then
	# the unit's user has nothing but these two capabilities
	cp "$bin" "$TMP/tlsdiag" && chmod 755 "$TMP" "$TMP/tlsdiag"
	as_nobody() {
		setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs \
			--inh-caps="-all$1" --ambient-caps="-all$1" --bounding-set="-all$1" \
			"$TMP/tlsdiag" --interface lo --duration 1 >/dev/null 2>"$TMP/live.err"
	}
	check "as nobody with CAP_NET_RAW and CAP_NET_ADMIN: $(cat "$TMP/live.err" 2>/dev/null)" \
		as_nobody ",+net_raw,+net_admin"
	as_nobody ""
	check "as nobody without capabilities it should not capture" grep -q "permission denied" "$TMP/live.err"
else
	echo "not root (or no setpriv): the capability check is skipped"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
