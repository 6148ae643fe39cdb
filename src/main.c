/* tlsdiag entry point: options, wiring, exit codes. (being written) */
#include <stdio.h>

#include "tlsd_config.h"

int main(void)
{
	printf("tlsdiag %s\n", TLSD_VERSION);
	return 0;
}
