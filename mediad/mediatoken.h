/*
 * mediatoken: short-lived media tokens, the grant a clerk hands to its
 * video window (klopf-video) instead of its session token. A media token
 * lets one connection publish and subscribe in one room as that room's
 * clerk, and nothing else (doc/media.md, "Media tokens").
 *
 * Owns: the hashes of the tokens not yet used, each with its room, its
 * clerk, the hash of the session that asked for it and its expiry; per
 * clerk the (at most MEDIATOKEN_PER_CLERK) tokens it holds. Taking a
 * token consumes it; an unknown, used or expired token all look the same
 * to the caller. The tokens themselves never reach this table, only
 * their SHA-256.
 *
 * Never: does I/O or reads a clock (time comes in as an argument), or
 * scans all tokens on a request (one hash lookup; the per-clerk list has
 * at most MEDIATOKEN_PER_CLERK entries). Tokens live in memory: a
 * restart of klopfd voids them.
 */
#ifndef KLOPF_MEDIATOKEN_H
#define KLOPF_MEDIATOKEN_H

#include <stdint.h>

#include "token.h"

#define MEDIATOKEN_TTL 60       /* seconds from issue to expiry */
#define MEDIATOKEN_PER_CLERK 4  /* live tokens a clerk may hold at once */

struct mediatokens;

/* What a valid token grants. */
struct mediatoken_grant {
	uint64_t room;
	uint64_t clerk;
	uint8_t session[TOKEN_HASH_LEN];        /* the issuing session's hash */
};

struct mediatokens *mediatokens_new(void);
void mediatokens_free(struct mediatokens *mt);

/* Records a new token for g (copied) valid until now + MEDIATOKEN_TTL.
 * 0, or -1 if the clerk holds MEDIATOKEN_PER_CLERK live tokens already
 * (its expired ones are dropped first). */
int mediatokens_add(struct mediatokens *mt, const uint8_t hash[TOKEN_HASH_LEN],
    const struct mediatoken_grant *g, int64_t now);
/* 0 and fills g if the token is valid at now; it is used up by this.
 * -1 if it is unknown, used or expired (then it is gone as well). */
int mediatokens_take(struct mediatokens *mt,
    const uint8_t hash[TOKEN_HASH_LEN], int64_t now,
    struct mediatoken_grant *g);
/* The clerk's room ended: its unused tokens for that room are void. */
void mediatokens_drop_room(struct mediatokens *mt, uint64_t clerk,
    uint64_t room);
/* The session logged out: the unused tokens it asked for are void. */
void mediatokens_drop_session(struct mediatokens *mt, uint64_t clerk,
    const uint8_t session[TOKEN_HASH_LEN]);
/* Drops every expired token (the timer, now and then). */
void mediatokens_expire(struct mediatokens *mt, int64_t now);
/* Tokens held, live or not yet dropped. */
unsigned mediatokens_count(const struct mediatokens *mt);

#endif
