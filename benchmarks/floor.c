/* The libpcap floor: read every record of a capture file and do nothing
 * else (touch one byte so the loop is not optimised away). What any tool
 * reading the file pays at least. Usage: floor FILE */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
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

	if (argc != 2) {
		fprintf(stderr, "usage: floor FILE\n");
		return 2;
	}
	p = pcap_open_offline(argv[1], err);
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
	printf("floor: packets %llu bytes %llu time %.3f s (checksum %u)\n",
	       (unsigned long long)packets, (unsigned long long)bytes,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, sum & 0xff);
	return r == PCAP_ERROR ? 1 : 0;
}
