/* Whole pipeline: a pcap file in memory through decode, flow table,
 * reassembly, TLS, session, diagnosis, the summary and both reporters
 * (fuzz_pipeline.c). Inputs over 1 MiB are ignored. */
#include <stdint.h>

#include "fuzz_pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_pipeline(data, size);
	return 0;
}
