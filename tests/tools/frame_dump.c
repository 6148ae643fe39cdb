/* frame_dump: prints the frames tlsdiag's capture front end (capture.c,
 * with pcapng.c for pcapng files) reads from a capture, for
 * tests/e2e/run_pcapng.py to compare with what tshark reads.
 *
 * usage: frame_dump CAPTURE [FILTER]
 *
 * One line per frame:
 *   F TS_NS CAPLEN WIRELEN DLT IFACE COMMENT HEX
 * where IFACE is the pcapng interface name or "-", COMMENT the packet
 * comment as hex or "-", HEX the captured bytes. Exit status 0, or 2 with a
 * message on stderr (after the frames read) when the capture cannot be
 * read to its end. */
#include <stdio.h>

#include "tlsd/capture.h"
#include "tlsd/cur.h"

static void hex(const uint8_t *p, size_t len)
{
	struct tlsd_cur c;
	uint8_t b;

	if (!p || !len) {
		fputs("-", stdout);
		return;
	}
	tlsd_cur_init(&c, p, len);
	while (tlsd_cur_get_u8(&c, &b))
		printf("%02x", b);
}

int main(int argc, char **argv)
{
	char err[TLSD_CAPTURE_ERRLEN] = "";
	struct tlsd_capture *cap = NULL;
	struct tlsd_frame fr;
	enum tlsd_capture_status st;
	int rc = 0;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: frame_dump CAPTURE [FILTER]\n");
		return 2;
	}
	if (tlsd_capture_open_file(&cap, argv[1], argc > 2 ? argv[2] : NULL, err) < 0) {
		fprintf(stderr, "frame_dump: %s\n", err);
		return 2;
	}
	while ((st = tlsd_capture_next(cap, &fr, err)) == TLSD_CAPTURE_FRAME ||
	       st == TLSD_CAPTURE_FILTERED) {
		if (st == TLSD_CAPTURE_FILTERED)
			continue;
		printf("F %lld %u %u %d %s ", (long long)fr.ts, fr.caplen, fr.wirelen, fr.dlt,
		       fr.iface ? fr.iface : "-");
		hex(fr.comment, fr.comment_len);
		fputc(' ', stdout);
		hex(fr.data, fr.caplen);
		fputc('\n', stdout);
	}
	if (st == TLSD_CAPTURE_ERROR) {
		fprintf(stderr, "frame_dump: %s\n", err);
		rc = 2;
	}
	tlsd_capture_close(cap);
	if (fflush(stdout) != 0 && rc == 0) {
		perror("frame_dump: stdout");
		rc = 2;
	}
	return rc;
}
