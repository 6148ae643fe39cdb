#!/usr/bin/env bash
# Cuts single connections out of other projects' captures
# (../shared/captures-public) into captures/public/, for the evidence-rule
# tests (tests/e2e/public_verdicts.tsv) to run without that folder. Only
# captures whose licence allows it (BSD-3-Clause: Zeek, mercury; Unlicense:
# PcapPlusPlus); captures/public/README.md names the source of each file.
# Needs tshark (editcap/tshark for the cut). Safe to run again.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${1:-$here/../../shared/captures-public}
out=$here/public
mkdir -p "$out"

# name  source  display filter (one connection, or the whole small file)
cut() {
	local name=$1 file=$2 filter=$3 in="$src/$2" tmp
	tmp=$(mktemp --suffix=.pcap)
	case "$file" in
	*.gz) gzip -dc "$in" > "$tmp.in"; in=$tmp.in ;;
	esac
	tshark -r "$in" -Y "$filter" -F pcap -w "$tmp" 2>/dev/null
	mv "$tmp" "$out/$name.pcap"
	chmod 644 "$out/$name.pcap"
	rm -f "$tmp.in"
	printf '%s\t%s\t%s\n' "$name.pcap" "$file" "$filter"
}

{
	printf 'file\tsource (under ../shared/captures-public)\tdisplay filter\n'
	cut mercury_client_first mercury/unit_tests/pcaps/capture2.pcap 'tcp.port==56675'
	cut mercury_lookalike mercury/unit_tests/pcaps/capture2.pcap 'tcp.port==1325'
	cut mercury_sampled mercury/unit_tests/pcaps/emix.pcap 'tcp.port==54341'
	cut pcapplusplus_time_jump PcapPlusPlus/Tests/Packet++Test/PacketExamples/tls1_3.pcap 'tcp'
	cut mercury_idle_300s mercury/unit_tests/pcaps/surfshark.pcap 'tcp.port==58582'
	cut mercury_reset_after_hello mercury/unit_tests/pcaps/surfshark.pcap 'tcp.port==40516'
	cut mercury_fin_retransmitted mercury/unit_tests/pcaps/tls_sgt.pcap 'tcp.port==40512'
	cut zeek_ssl2 zeek/testing/btest/Traces/tls/ssl-v2.pcap 'tcp'
	cut zeek_protocol_error zeek/testing/btest/Traces/tls/tls-1.2-protocol-error.pcap 'tcp'
	cut zeek_tls13_experiment zeek/testing/btest/Traces/tls/chrome-63.0.3211.0-canary-tls_experiment.pcap 'tcp'
	cut zeek_heartbleed zeek/testing/btest/Traces/tls/heartbleed-success.pcap 'tcp'
	cut mercury_scanner mercury/test/data/top_100_fingerprints.pcap 'tcp.port==37582'
	cut mercury_bad_psk mercury/test/data/top_100_fingerprints.pcap 'tcp.port==37604'
	cut mercury_psk_idle_close mercury/unit_tests/pcaps/quic_reordered_frames.pcap 'tcp.port==39410'
	cut pcapplusplus_close_before_finished PcapPlusPlus/Tests/ExamplesTest/pcap_examples/tls.pcap 'tcp.port==55305'
} > "$out/SOURCES.tsv"
echo "wrote $(($(wc -l < "$out/SOURCES.tsv") - 1)) captures to $out"
