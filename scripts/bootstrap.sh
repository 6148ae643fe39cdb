#!/usr/bin/env bash
# Installs what tlsdiag needs on a fresh Debian 12 machine (as root) and
# builds it into ./build. Safe to run again.
#
#   scripts/bootstrap.sh             everything: build, tests, Debian package (CI)
#   scripts/bootstrap.sh --runtime   only what building and running tlsdiag needs
#                                    (no test tools; the unit tests are not built)
set -euo pipefail
cd "$(dirname "$0")/.."

# Building tlsdiag (its run-time libraries, libpcap0.8 and libssl3, come with
# the -dev packages).
build_packages=(
	build-essential meson ninja-build pkg-config python3
	libpcap-dev libssl-dev
)
# The tests, the capture generator and the fuzzers.
test_packages=(
	check tshark tcpdump openssl gnutls-bin tcpreplay iproute2 clang llvm
	systemd
	# QUIC captures (captures/generate_udp.sh): ngtcp2 on GnuTLS, iptables
	ngtcp2-client ngtcp2-server iptables
	# JSON output checks: the schema validator and jq
	python3-jsonschema jq
)
# The Debian package (dpkg-buildpackage; .ci/run builds and installs it).
deb_packages=(
	debhelper dpkg-dev
)

runtime_only=false
case "${1:-}" in
	--runtime) runtime_only=true ;;
	"") ;;
	*) echo "usage: $0 [--runtime]" >&2; exit 2 ;;
esac
packages=("${build_packages[@]}")
if ! $runtime_only; then
	packages+=("${test_packages[@]}" "${deb_packages[@]}")
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "bootstrap: need root to install: ${missing[*]}" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -f build/build.ninja ]; then
	if $runtime_only; then
		meson setup build --werror -Dtests=disabled
	else
		meson setup build --werror
	fi
fi
ninja -C build
