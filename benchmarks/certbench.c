/* Per-certificate cost of tlsd_cert_check_chain with and without the caches.
 *
 *   certbench [CERT_DIR [ITERATIONS [MODE]]]   (CERT_DIR defaults to tests/certs;
 *                                               MODE 0 no cache, 1 certificates,
 *                                               2 + verdicts, 3 + chain answers,
 *                                               4 the same, shared answers)
 *
 * Replays the chains of tests/certs (as a busy capture replays the same few
 * chains) against a store with no cache, with the parsed-certificate cache
 * only, with the verdict cache too, and with the chain-answer cache (copied
 * out, as tlsd_cert_check_chain does, or shared, as the sessions take
 * them), and prints microseconds per chain and per certificate. Each call
 * is at another capture second: the expired chain's answer is made anew
 * each time (its text names the second), the others are reused. Build (no benchmarks/meson.build yet):
 *   cc -O2 -Iinclude benchmarks/certbench.c src/cert.c src/cur.c -lcrypto -o certbench */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tlsd/cert.h"

#define T_2025_06_01 INT64_C(1748736000)

struct chain {
	const char *files[3];
	const char *sni;
	struct tlsd_cur ders[3];
	size_t n;
};

static struct chain chains[] = {
	{{"good.der", "inter.der"}, "server.test", {{0}}, 0},
	{{"ecdsa.der", "inter.der"}, "ecdsa.test", {{0}}, 0},
	{{"ed25519.der", "inter.der"}, "ed25519.test", {{0}}, 0},
	{{"expired.der", "inter.der"}, "expired.test", {{0}}, 0},
	{{"wronghost.der", "inter.der"}, "server.test", {{0}}, 0},
	{{"good.der"}, "server.test", {{0}}, 0},
	{{"bigsan.der", "inter.der"}, "name-7.bigsan.test", {{0}}, 0},
};

static struct tlsd_chain_findings findings;

static uint8_t *slurp(const char *dir, const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	uint8_t *p;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "certbench: cannot read %s\n", path);
		exit(1);
	}
	p = malloc((size_t)n);
	if (!p || fread(p, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "certbench: cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	*len = (size_t)n;
	return p;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void bench(const char *label, const char *dir, uint32_t cache_certs,
		  uint32_t cache_verdicts, uint32_t cache_chains, bool shared, int iterations)
{
	struct tlsd_cert_opts o;
	struct tlsd_cert_store *s;
	struct tlsd_cert_stats st;
	char ca[1024], err[256];
	size_t certs = 0, calls = 0;
	double t0, t1;

	snprintf(ca, sizeof(ca), "%s/root.pem", dir);
	tlsd_cert_opts_default(&o);
	o.ca_file = ca;
	o.cache_certs = cache_certs;
	o.cache_verdicts = cache_verdicts;
	o.cache_chains = cache_chains;
	s = tlsd_cert_store_new(&o, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "certbench: %s\n", err);
		exit(1);
	}
	t0 = now_us();
	for (int i = 0; i < iterations; i++) {
		for (size_t c = 0; c < TLSD_ARRAY_SIZE(chains); c++) {
			struct tlsd_cert_query q = {
				.ders = chains[c].ders,
				.n = chains[c].n,
				.sni = (const uint8_t *)chains[c].sni,
				.sni_len = strlen(chains[c].sni),
				/* a capture spanning a few days, one second per chain */
				.capture_time_s = T_2025_06_01 + (int64_t)(calls * 7 % 259200),
				.expiry_warning_days = 14,
			};

			const struct tlsd_chain_findings *a;
			int r = shared ? tlsd_cert_check_chain_shared(s, &q, &a)
				       : tlsd_cert_check_chain(s, &q, &findings);

			if (r != 0) {
				fprintf(stderr, "certbench: check failed\n");
				exit(1);
			}
			if (shared)
				tlsd_cert_findings_release(a);
			certs += chains[c].n;
			calls++;
		}
	}
	t1 = now_us();
	tlsd_cert_store_stats(s, &st);
	printf("%-28s %8zu chains %9.2f us/chain %8.2f us/cert  (cert hits %llu misses %llu, "
	       "verdict hits %llu misses %llu, chain hits %llu misses %llu timed %llu)\n",
	       label, calls, (t1 - t0) / (double)calls, (t1 - t0) / (double)certs,
	       (unsigned long long)st.cert_hits, (unsigned long long)st.cert_misses,
	       (unsigned long long)st.verdict_hits, (unsigned long long)st.verdict_misses,
	       (unsigned long long)st.chain_hits, (unsigned long long)st.chain_misses,
	       (unsigned long long)st.chain_timed);
	tlsd_cert_store_free(s);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/certs";
	int iterations = argc > 2 ? atoi(argv[2]) : 300;
	int mode = argc > 3 ? atoi(argv[3]) : -1;

	if (iterations <= 0)
		iterations = 1;
	for (size_t c = 0; c < TLSD_ARRAY_SIZE(chains); c++) {
		for (size_t i = 0; i < TLSD_ARRAY_SIZE(chains[c].files) && chains[c].files[i]; i++) {
			size_t len;
			uint8_t *p = slurp(dir, chains[c].files[i], &len);

			tlsd_cur_init(&chains[c].ders[i], p, len);
			chains[c].n++;
		}
	}
	if (mode < 0 || mode == 0)
		bench("no cache", dir, 0, 0, 0, false, iterations);
	if (mode < 0 || mode == 1)
		bench("certificate cache", dir, TLSD_CERT_CACHE_CERTS, 0, 0, false, iterations);
	if (mode < 0 || mode == 2)
		bench("certificate + verdict cache", dir, TLSD_CERT_CACHE_CERTS,
		      TLSD_CERT_CACHE_VERDICTS, 0, false, iterations);
	if (mode < 0 || mode == 3)
		bench("+ chain answers, copied", dir, TLSD_CERT_CACHE_CERTS,
		      TLSD_CERT_CACHE_VERDICTS, TLSD_CERT_CACHE_CHAINS, false, iterations);
	if (mode < 0 || mode == 4)
		bench("+ chain answers, shared", dir, TLSD_CERT_CACHE_CERTS,
		      TLSD_CERT_CACHE_VERDICTS, TLSD_CERT_CACHE_CHAINS, true, iterations);
	return 0;
}
