/*
 * store_booking: appointments in the store (table bookings, migration 2
 * of store.c). A booking is found by the hash of its code, never by the
 * code itself. At most one live booking or block per office and slot:
 * sqlite's unique index decides between two simultaneous requests, so
 * exactly one of them gets the slot (STORE_E_TAKEN for the other).
 */
#ifndef KLOPF_STORE_BOOKING_H
#define KLOPF_STORE_BOOKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "store.h"

#define BOOKING_HASH_LEN 32

enum booking_state {
	BOOKING_BOOKED = 0,
	BOOKING_ARRIVED,
	BOOKING_DONE,
	BOOKING_NO_SHOW,
	BOOKING_CANCELLED,
	BOOKING_BLOCKED,        /* a clerk keeps the slot free */
};

struct booking {
	uint64_t id;
	char office[CONFIG_ID_MAX + 1];
	int64_t slot_start, slot_end;
	enum booking_state state;
	char name[65];          /* "" if none */
	char topic[201];
	char lang[8];
	char message[501];      /* the office's message when it cancelled */
	int64_t created_at, updated_at;
};

/* Books (or blocks, without a code) a slot. code_hash may be NULL for a
 * block; addr_hash (NULL allowed) counts bookings per address. Returns
 * STORE_OK and the new id, STORE_E_TAKEN if the slot is live already, or
 * STORE_E_IO. */
int store_booking_add(struct store *st, const struct booking *b,
    const uint8_t *code_hash, const uint8_t *addr_hash, uint64_t *id);
/* STORE_OK, STORE_E_NOTFOUND or STORE_E_IO. */
int store_booking_by_code(struct store *st, const uint8_t *code_hash,
    struct booking *out);
int store_booking_get(struct store *st, uint64_t id, struct booking *out);
/* A new state (and message, may be NULL) for a booking. STORE_OK,
 * STORE_E_NOTFOUND or STORE_E_IO. */
int store_booking_set_state(struct store *st, uint64_t id,
    enum booking_state state, const char *message, int64_t now);
/* The starts of the live bookings and blocks of an office in [from, to),
 * in order, at most max; returns how many or STORE_E_IO. */
int store_booking_taken(struct store *st, const char *office, int64_t from,
    int64_t to, int64_t *starts, int max);
/* Bookings made from addr_hash since since (any office, or one office if
 * office is not NULL); or STORE_E_IO. */
int store_booking_count_addr(struct store *st, const uint8_t *addr_hash,
    const char *office, int64_t since);
/* Bookings (not blocks) made at an office since since; or STORE_E_IO. */
int store_booking_count_office(struct store *st, const char *office,
    int64_t since);
/* Bookings of an office with slots in [from, to), in order, at most max,
 * for the clerk's agenda; returns how many or STORE_E_IO. */
int store_booking_list(struct store *st, const char *office, int64_t from,
    int64_t to, struct booking *out, int max);

/* Retention: removes the personal data (name, topic, message), the code
 * and the address hash of the bookings (of office, or of all if NULL)
 * whose slot ended, or which were cancelled, before before. The rows
 * stay, for the statistics and the slot. Returns how many rows changed,
 * or STORE_E_IO. */
int store_booking_purge(struct store *st, const char *office,
    int64_t before);

const char *booking_state_name(enum booking_state s);

#endif
