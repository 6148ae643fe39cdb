/* The capture front end's floor: read every frame of a capture through
 * tlsd_capture (capture.c: libpcap for pcap files, our reader pcapng.c for
 * pcapng files) and do nothing else (touch one byte so the loop is not
 * optimised away). Compare with `floor -b 64 FILE` (libpcap's own loop with
 * tlsdiag's stdio buffer), which libpcap can run on a pcapng file whose
 * interfaces share one link type. Usage: capfloor FILE */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "tlsd/capture.h"

int main(int argc, char **argv)
{
	char err[TLSD_CAPTURE_ERRLEN];
	struct tlsd_capture *cap;
	struct tlsd_frame fr;
	enum tlsd_capture_status st;
	uint64_t packets = 0, bytes = 0;
	unsigned sum = 0;
	struct timespec t0, t1;

	if (argc != 2) {
		fprintf(stderr, "usage: capfloor FILE\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (tlsd_capture_open_file(&cap, argv[1], NULL, err) < 0) {
		fprintf(stderr, "capfloor: %s\n", err);
		return 1;
	}
	while ((st = tlsd_capture_next(cap, &fr, err)) == TLSD_CAPTURE_FRAME ||
	       st == TLSD_CAPTURE_FILTERED) {
		if (st == TLSD_CAPTURE_FILTERED)
			continue; /* no filter is given here; kept for completeness */
		packets++;
		bytes += fr.caplen;
		if (fr.caplen)
			sum += fr.data[0];
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (st == TLSD_CAPTURE_ERROR)
		fprintf(stderr, "capfloor: %s\n", err);
	tlsd_capture_close(cap);
	printf("capfloor: packets %llu bytes %llu time %.3f s (checksum %u)\n",
	       (unsigned long long)packets, (unsigned long long)bytes,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, sum & 0xff);
	return st == TLSD_CAPTURE_ERROR;
}
