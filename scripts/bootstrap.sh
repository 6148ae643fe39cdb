#!/usr/bin/env bash
# Installs what tlsdiag needs on a fresh Debian 12 machine (as root) and
# builds it into ./build. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
	build-essential meson ninja-build pkg-config python3
	libpcap-dev libssl-dev check
	# used by the tests and the capture generator
	tshark tcpdump openssl gnutls-bin tcpreplay iproute2 clang llvm
	# QUIC captures (captures/generate_udp.sh): ngtcp2 on GnuTLS, iptables
	ngtcp2-client ngtcp2-server iptables
	# JSON output checks: the schema validator and jq
	python3-jsonschema jq
)
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
	meson setup build --werror
fi
ninja -C build
