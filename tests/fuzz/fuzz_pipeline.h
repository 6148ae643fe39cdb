/* The whole pipeline on a pcap (or pcapng) file held in memory. */
#ifndef TLSD_FUZZ_PIPELINE_H
#define TLSD_FUZZ_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

/* Inputs over 1 MiB are ignored. Small caps so that a fuzzer reaches them. */
void fuzz_pipeline(const uint8_t *data, size_t size);

#endif
