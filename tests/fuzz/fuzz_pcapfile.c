/* The pcap reader (pcapfile.c) against libpcap on arbitrary bytes: every
 * file the reader takes must give exactly libpcap's records (time stamps,
 * lengths, bytes) and, at the end, libpcap's end or libpcap's error
 * message. The first byte picks how many bytes each read hands over
 * (1..255, 0 = all), so buffer refills and records split across reads are
 * exercised. Inputs over 1 MiB are ignored. */
#include "fuzz_check.h"
#include "mem_src.h"
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tlsd/decode.h"
#include "tlsd/pcapfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "", err[TLSD_PCAPFILE_ERRLEN] = "";
	struct tlsd_pcapfile_packet pkt;
	struct tlsd_pcapfile *pf = NULL;
	enum tlsd_pcapfile_status st;
	struct pcap_pkthdr *h;
	const u_char *bytes;
	struct mem_src s;
	pcap_t *p;
	FILE *in;
	int r;

	if (size < 1 || size > (1u << 20))
		return 0;
	s = (struct mem_src){.p = data + 1, .len = size - 1, .chunk = data[0]};
	if (s.len < TLSD_PCAPFILE_HDR_LEN)
		return 0;
	r = tlsd_pcapfile_new(&pf, s.p, s.len, tlsd_decode_dlt_supported, mem_src_read, &s);
	FUZZ_CHECK(r == 0 || r == 1);
	if (r == 0)
		return 0; /* left to libpcap */
	s.off = TLSD_PCAPFILE_HDR_LEN;
	in = fmemopen((void *)s.p, s.len, "rb");
	FUZZ_CHECK(in != NULL);
	p = pcap_fopen_offline_with_tstamp_precision(in, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	FUZZ_CHECK(p != NULL); /* a header we take, libpcap takes */
	FUZZ_CHECK(tlsd_pcapfile_dlt(pf) == pcap_datalink(p));
	FUZZ_CHECK(tlsd_pcapfile_snaplen(pf) == (uint32_t)pcap_snapshot(p));
	for (;;) {
		r = pcap_next_ex(p, &h, &bytes);
		st = tlsd_pcapfile_next(pf, &pkt, err);
		if (r != 1)
			break;
		FUZZ_CHECK(st == TLSD_PCAPFILE_PACKET);
		FUZZ_CHECK(pkt.sec == (int64_t)h->ts.tv_sec);
		FUZZ_CHECK(pkt.frac_ns == (int64_t)h->ts.tv_usec);
		FUZZ_CHECK(pkt.caplen == h->caplen && pkt.wirelen == h->len);
		FUZZ_CHECK(pkt.data != NULL && memcmp(pkt.data, bytes, h->caplen) == 0);
	}
	if (r == PCAP_ERROR_BREAK) {
		FUZZ_CHECK(st == TLSD_PCAPFILE_END);
	} else {
		FUZZ_CHECK(st == TLSD_PCAPFILE_ERROR);
		FUZZ_CHECK(strcmp(err, pcap_geterr(p)) == 0);
		FUZZ_CHECK(tlsd_pcapfile_next(pf, &pkt, err) == TLSD_PCAPFILE_ERROR); /* sticky */
	}
	tlsd_pcapfile_free(pf);
	pcap_close(p); /* closes `in` too */
	return 0;
}
