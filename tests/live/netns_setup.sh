# Sourced by the live tests with "$0" "$@" as their own: skips (exit 77)
# without root, openssl or unshare; re-runs the test in a private network
# namespace with its loopback up; makes $work (removed at exit, with every
# process listed in pids) and a self-signed certificate $work/c.pem with
# key $work/k.pem for CN=$1.
cn=$1
shift
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
command -v openssl >/dev/null || { echo "skip: no openssl"; exit 77; }
if [ "${TLSD_IN_NETNS:-}" != 1 ]; then
	command -v unshare >/dev/null || { echo "skip: no unshare"; exit 77; }
	TLSD_IN_NETNS=1 exec unshare -n "$0" "$@"
fi
ip link set lo up
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/k.pem" -out "$work/c.pem" \
	-subj "/CN=$cn" -days 2 >/dev/null 2>&1
