/* Hand-written helpers around the generated name tables (tls_names_gen.c). */
#include "tlsd/tls_names.h"

#include <stdio.h>

const char *tlsd_name_alert_or_code(uint8_t desc, char *buf, size_t len)
{
	const char *n = tlsd_name_alert(desc);

	if (n)
		return n;
	if (buf && len) {
		snprintf(buf, len, "unknown_%u", (unsigned)desc);
		return buf;
	}
	return "unknown";
}
