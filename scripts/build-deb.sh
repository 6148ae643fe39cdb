#!/usr/bin/env bash
# Builds the Debian package from this repository: copies the source (the
# files git tracks, as they are in the working tree; every file when this
# is not a git checkout) to a temporary directory, runs
# `dpkg-buildpackage -us -uc -b` there and moves the .deb into OUTDIR.
# Needs the build packages of scripts/bootstrap.sh and debhelper.
#
#   scripts/build-deb.sh [OUTDIR]      (default: ./dist)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$SRC/dist}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/tlsdiag"
if git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$SRC" && git ls-files -z | xargs -0 tar -cf - --no-recursion) | tar -xf - -C "$WORK/tlsdiag"
else
	(cd "$SRC" && tar -cf - --exclude='./build*' --exclude='./obj-*' --exclude=./dist .) |
		tar -xf - -C "$WORK/tlsdiag"
fi
(cd "$WORK/tlsdiag" && dpkg-buildpackage -us -uc -b >"$WORK/build.log" 2>&1) || {
	tail -40 "$WORK/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed (log above)" >&2
	exit 1
}
mv "$WORK"/*.deb "$OUT"/
ls "$OUT"/*.deb
