# shellcheck shell=bash
# Shared by the generators that pit one TLS stack against OpenSSL 3.0 over TCP
# (generate_gotls.sh, generate_erlssl.sh); sourced, not run, right after netns_lib.sh's
# netns_enter, with PREFIX (the captures' name prefix: gotls, erlssl), OUT, LOGS and P
# (the PKI) set; the functions also use C (the caller's copy of the PKI in $WORK).
# Sourcing it sets up the loopback (GSO/GRO at 1500, TCP timestamps), checks the PKI
# and extracts generate.sh's python helpers into HELP (for `check`). It is sourced
# without arguments, so "$@" below is the caller's: the scenarios selected on its
# command line.
#
# begin NUM NAME starts tcpdump for scenario NUM (server port 44300+NUM) into
# $OUT/${PREFIX}_NAME.pcap; srv runs a server and waits until it listens; cli k runs
# the k-th client from port 50000+10*NUM+k; end stops the servers and tcpdump and
# merges the key logs the two sides wrote to $WORK/$SC.*.keylog. osrv/ocli/ocli_req
# are the OpenSSL peers; scenario NAME runs sc_NAME when selected and reruns it (up
# to 3 times) until its capture is whole.

ip link set dev lo gso_max_size 1500 2>/dev/null || true
ip link set dev lo gro_max_size 1500 2>/dev/null || true
sysctl -qw net.ipv4.tcp_timestamps=1

[ -s "$P/server.chain.pem" ] || { log "no PKI in $P: run captures/generate.sh first"; exit 1; }

# generate.sh's python helpers (the `check` of a whole capture), not copied here
sed -n "/^cat > \"\$WORK\/helpers.py\" <<'PYEOF'\$/,/^PYEOF\$/p" "$HERE/generate.sh" |
    sed '1d;$d' >"$WORK/helpers.py"
HELP=(python3 "$WORK/helpers.py")

# ------------------------------------------------------------------ plumbing
mkfifo "$WORK/stdin.fifo"
exec 7<>"$WORK/stdin.fifo"
printf 'GET /hello.txt HTTP/1.0\r\nHost: server.tlsdiag.test\r\n\r\n' >"$WORK/request.txt"
printf 'hello from the tlsdiag test server\n' >"$WORK/hello.txt"
SNI=server.tlsdiag.test
SC="" PORT="" NUM="" TCPDUMP="" KEYLOG=""

begin() { # NUM SCENARIO
    NUM=$1 SC=${PREFIX}_$2
    PORT=$((44300 + NUM))
    KEYLOG=$OUT/$SC.keylog
    rm -f "$OUT/$SC.pcap" "$KEYLOG" "$WORK/$SC".*
    : >"$LOGS/$SC.client.txt"
    : >"$LOGS/$SC.server.txt"
    bg tcpdump -Z root -i lo -s 0 -U --immediate-mode -w "$OUT/$SC.pcap" "tcp port $PORT" \
        2>"$WORK/$SC.tcpdump"
    TCPDUMP=$BG
    local i
    for i in $(seq 1 100); do
        grep -q "listening on" "$WORK/$SC.tcpdump" && break
        sleep 0.05
    done
    SRV_PIDS=()
}
srv() { # command...: a server in the background; wait until it listens
    # stdin: a FIFO the shell holds open (s_server ends a connection at EOF of stdin)
    (cd "$WORK" && exec "$@") <"$WORK/stdin.fifo" >>"$LOGS/$SC.server.txt" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    SRV_PIDS+=("$pid")
    local i
    for i in $(seq 1 100); do
        if ss -Hltn "sport = :$PORT" | grep -q .; then return 0; fi
        sleep 0.05
    done
    log "$SC: server on port $PORT did not start"
    return 1
}
cli() { # k seconds command...: one client, stdin from $CLI_IN (default /dev/null)
    local k=$1 t=$2
    shift 2
    local p=$((50000 + 10 * NUM + k)) rc=0
    sysctl -qw net.ipv4.ip_local_port_range="$p $p"
    (cd "$WORK" && timeout "$t" "$@") <"${CLI_IN:-/dev/null}" >>"$LOGS/$SC.client.txt" 2>&1 || rc=$?
    echo "client $k exit=$rc" >>"$LOGS/$SC.client.txt"
    CLI_IN=
}
end() {
    sleep 0.3
    local p
    for p in "${SRV_PIDS[@]}"; do
        # a server still running after its clients is stopped; say so in its log
        if kill -0 "$p" 2>/dev/null; then echo "(server stopped by the script)" >>"$LOGS/$SC.server.txt"; fi
        stop "$p"
    done
    sleep 0.2
    kill -INT "$TCPDUMP" 2>/dev/null || true
    wait "$TCPDUMP" 2>/dev/null || true
    # one key log from both sides' (a line appears in both when both could write it)
    cat "$WORK/$SC".*.keylog 2>/dev/null | sort -u >"$KEYLOG" || true
    [ -s "$KEYLOG" ] || rm -f "$KEYLOG"
    log "$SC (port $PORT): $(grep -o '[0-9]* packets captured' "$WORK/$SC.tcpdump" || true);" \
        "$(grep -h 'exit=' "$LOGS/$SC.client.txt" | tr '\n' ' ')"
}


# OpenSSL server: leaf + intermediate, trusts the test root for client certificates
NACCEPT=1
osrv() { srv openssl s_server -accept "$PORT" -naccept "$NACCEPT" -ign_eof \
    -cert "$C/server.pem" -key "$C/server.key" -cert_chain "$P/inter.pem" -CAfile "$C/ca.pem" \
    -keylogfile "$WORK/$SC.srv.keylog" "$@"; }
# OpenSSL client, as in generate.sh
ocli() { # k args...
    local k=$1
    shift
    cli "$k" 4 openssl s_client -connect "127.0.0.1:$PORT" -servername "$SNI" \
        -verify_hostname "$SNI" -CAfile "$C/ca.pem" -verify_return_error \
        -keylogfile "$WORK/$SC.cli.keylog" "$@"
}
ocli_req() { # k args...: sends GET /hello.txt, reads until the server closes
    local k=$1
    shift
    CLI_IN=$WORK/request.txt
    ocli "$k" -ign_eof "$@"
}

SELECT=("$@")
scenario() { # name: run sc_name when selected; rerun when the capture is not whole
    if [ "${#SELECT[@]}" != 0 ]; then
        local s hit=
        for s in "${SELECT[@]}"; do [ "$s" = "$1" ] && hit=1; done
        [ -n "$hit" ] || return 0
    fi
    local attempt
    for attempt in 1 2 3; do
        "sc_$1"
        if "${HELP[@]}" check "$OUT/${PREFIX}_$1.pcap"; then return 0; fi
        log "$1: capture not whole (attempt $attempt), again"
    done
    log "WARNING: $1: no whole capture in 3 attempts"
}

