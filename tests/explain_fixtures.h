/* Test helpers: a diagnosis's words as the reporters write them
 * (explain.h), in rotating static buffers so that one assertion can use
 * several. */
#ifndef TLSD_TEST_EXPLAIN_FIXTURES_H
#define TLSD_TEST_EXPLAIN_FIXTURES_H

#include "tlsd/explain.h"

__attribute__((unused)) static const char *explain_words(const struct tlsd_report *r,
							 const struct tlsd_diag *d, bool evidence)
{
	static char b[8][1024];
	static unsigned k;

	k = (k + 1) & 7;
	if (!d)
		return "";
	if (evidence)
		tlsd_explain_evidence(r, d, b[k], sizeof(b[k]));
	else
		tlsd_explain_text(r, d, b[k], sizeof(b[k]));
	return b[k];
}

#define EVD(r, d) explain_words((r), (d), true)
#define TXT(r, d) explain_words((r), (d), false)

#endif
