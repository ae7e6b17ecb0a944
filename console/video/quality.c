/*
 * quality: see quality.h.
 */
#include "quality.h"

#include <stddef.h>

enum quality
quality_judge(const struct quality_sample *prev,
    const struct quality_sample *now, bool expecting)
{
	uint64_t got = 0, lost = 0;
	double loss = -1.0;

	if (now->streams > 0 && now->received >= prev->received) {
		got = now->received - prev->received;
		/* lost can fall when late packets arrive after all */
		lost = now->lost > prev->lost ? now->lost - prev->lost : 0;
		if (expecting && got == 0)
			return QUALITY_DOWN;
		if (got + lost > 0)
			loss = (double)lost / (double)(got + lost);
	}
	if (now->remote_loss > loss)
		loss = now->remote_loss;
	if (loss < 0 && now->rtt_ms < 0)
		return QUALITY_UNKNOWN;
	if (loss >= 0.08 || now->rtt_ms >= 800.0)
		return QUALITY_POOR;
	if (loss >= 0.02 || now->rtt_ms >= 300.0)
		return QUALITY_FAIR;
	return QUALITY_GOOD;
}

const char *
quality_word(enum quality q)
{
	switch (q) {
	case QUALITY_GOOD:
		return "gut";
	case QUALITY_FAIR:
		return "mäßig";
	case QUALITY_POOR:
		return "schlecht";
	case QUALITY_DOWN:
		return "unterbrochen";
	case QUALITY_UNKNOWN:
		break;
	}
	return "?";
}

const char *
quality_name(enum quality q)
{
	switch (q) {
	case QUALITY_GOOD:
		return "good";
	case QUALITY_FAIR:
		return "fair";
	case QUALITY_POOR:
		return "poor";
	case QUALITY_DOWN:
		return "down";
	case QUALITY_UNKNOWN:
		break;
	}
	return "unknown";
}
