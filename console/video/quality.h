/*
 * quality: the connection quality the window's status line shows, judged
 * from two samples of webrtcbin's statistics a few seconds apart. Pure:
 * no GStreamer, no I/O.
 *
 *   down  others are in the room with streams, and not one packet of
 *         theirs arrived since the last sample
 *   poor  8 % or more lost (either way), or a round trip of 800 ms or more
 *   fair  2 % or more lost, or 300 ms or more
 *   good  less
 *   unknown  nothing to judge by yet
 */
#ifndef KLOPF_VIDEO_QUALITY_H
#define KLOPF_VIDEO_QUALITY_H

#include <stdbool.h>
#include <stdint.h>

struct quality_sample {
	uint64_t received;      /* packets of all inbound streams (subscribe) */
	uint64_t lost;          /* and lost of them, as RTP sequence numbers say */
	int streams;            /* inbound streams counted */
	double rtt_ms;          /* publish leg's round trip; < 0 unknown */
	double remote_loss;     /* fraction klopfd lost of ours, 0..1; < 0 unknown */
};

enum quality {
	QUALITY_UNKNOWN,
	QUALITY_GOOD,
	QUALITY_FAIR,
	QUALITY_POOR,
	QUALITY_DOWN,
};

/* expecting: others are in the room (they should be sending). */
enum quality quality_judge(const struct quality_sample *prev,
    const struct quality_sample *now, bool expecting);
/* The German word for the status line: "gut", "mäßig", … */
const char *quality_word(enum quality q);
/* The English name for --stats: "good", "fair", "poor", "down", "unknown". */
const char *quality_name(enum quality q);

#endif
