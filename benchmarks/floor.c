/* The libpcap floor: read every record of a capture file and do nothing
 * else (touch one byte so the loop is not optimised away). What any tool
 * reading the file pays at least. Usage: floor [-b KIB] FILE
 * -b: read through a stdio buffer of KIB KiB (tlsdiag uses 64) instead of
 * libpcap's own fopen with the default 4 KiB buffer. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t packets = 0, bytes = 0;
	unsigned sum = 0;
	struct timespec t0, t1;
	pcap_t *p;
	int r;
	char *buf = NULL;
	FILE *fp;

	if (argc == 4 && strcmp(argv[1], "-b") == 0) {
		size_t kib = strtoul(argv[2], NULL, 10);

		fp = fopen(argv[3], "rb");
		buf = kib ? malloc(kib << 10) : NULL;
		if (!fp || !buf || setvbuf(fp, buf, _IOFBF, kib << 10) != 0) {
			fprintf(stderr, "floor: cannot open %s with a %zu KiB buffer\n", argv[3], kib);
			return 1;
		}
		p = pcap_fopen_offline(fp, err);
	} else if (argc == 2) {
		p = pcap_open_offline(argv[1], err);
	} else {
		fprintf(stderr, "usage: floor [-b KIB] FILE\n");
		return 2;
	}
	if (!p) {
		fprintf(stderr, "floor: %s\n", err);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((r = pcap_next_ex(p, &h, &data)) == 1) {
		packets++;
		bytes += h->caplen;
		if (h->caplen)
			sum += data[0];
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (r == PCAP_ERROR)
		fprintf(stderr, "floor: %s\n", pcap_geterr(p));
	pcap_close(p);
	free(buf);
	printf("floor: packets %llu bytes %llu time %.3f s (checksum %u)\n",
	       (unsigned long long)packets, (unsigned long long)bytes,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, sum & 0xff);
	return r == PCAP_ERROR ? 1 : 0;
}
