/*
 * invite: single-use invitations into one consultation room (the guest
 * role of DESIGN.md: an interpreter, a colleague).
 *
 * Owns: the hashes of the invitation tokens the clerks made, each with
 * its room and expiry. Taking an invitation consumes it; an unknown,
 * used or expired token all look the same to the caller. The tokens
 * themselves never reach this table, only their SHA-256.
 *
 * Never: does I/O or reads a clock (time comes in as an argument).
 * Invitations live in memory: a restart of klopfd voids them (the clerk
 * makes a new one; the room itself survives).
 */
#ifndef KLOPF_INVITE_H
#define KLOPF_INVITE_H

#include <stdint.h>

#include "token.h"

#define INVITE_MAX 4096         /* open invitations in all rooms */
#define INVITE_TTL_DEFAULT 900
#define INVITE_TTL_MIN 60
#define INVITE_TTL_MAX 86400

struct invites;

struct invites *invites_new(void);
void invites_free(struct invites *iv);

/* 0, or -1 if INVITE_MAX invitations are open already (after dropping
 * the expired ones at now). */
int invites_add(struct invites *iv, const uint8_t hash[TOKEN_HASH_LEN],
    uint64_t room, int64_t expires_at, int64_t now);
/* The room of a valid invitation, which is used up by this; 0 if the
 * token is unknown, used or expired at now. */
uint64_t invites_take(struct invites *iv, const uint8_t hash[TOKEN_HASH_LEN],
    int64_t now);
/* The room ended: its open invitations are void. */
void invites_drop_room(struct invites *iv, uint64_t room);
unsigned invites_count(const struct invites *iv);

#endif
