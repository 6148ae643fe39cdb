# Shared by the capture generators that run real stacks in a private network
# namespace (generate_udp.sh, generate_dtls.sh); sourced, not run.
#
# The caller sets NAME (its name in messages), OUT (where the captures go),
# LOGS (the stacks' output) and FILTER (tcpdump's), then calls
# netns_enter "$@": it re-runs the script as root inside `unshare -n`, with
# a loopback of MTU 1500, a scratch folder $WORK and cleanup of every
# process started with bg().

netns_enter() {
    if [ "${TLSDIAG_GEN_IN_NETNS:-}" != 1 ]; then
        if [ "$(id -u)" != 0 ]; then
            echo "$NAME: must run as root (unshare -n, tcpdump, iptables)" >&2
            exit 1
        fi
        exec unshare -n env TLSDIAG_GEN_IN_NETNS=1 "$0" "$@"
    fi
    WORK=$(mktemp -d "/tmp/tlsdiag-$NAME.XXXXXX")
    PIDS=()
    trap netns_cleanup EXIT
    ip link set lo mtu 1500
    ip link set lo up
    mkdir -p "$LOGS"
}
netns_cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
log() { echo "[$NAME] $*" >&2; }

# Background process, remembered for cleanup; its pid in $BG. (Its standard
# input is /dev/null: bash gives a background command that unless the
# redirection is on the command itself.)
bg() { "$@" & BG=$!; PIDS+=("$BG"); }
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

capture_start() { # name
    rm -f "$OUT/$1.pcap" "$OUT/$1.keylog"
    bg tcpdump -i lo -U -s 0 -w "$OUT/$1.pcap" "$FILTER" 2>"$WORK/$1.tcpdump"
    TCPDUMP=$BG
    sleep 1 # tcpdump needs a moment before it sees packets
}
capture_stop() {
    sleep 0.5
    stop "$TCPDUMP"
}
