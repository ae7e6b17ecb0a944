/*
 * invite: see invite.h.
 */
#include "invite.h"

#include <glib.h>
#include <string.h>

struct invite {
	uint8_t hash[TOKEN_HASH_LEN];
	uint64_t room;
	int64_t expires_at;
};

struct invites {
	GHashTable *by_hash;    /* hash bytes -> struct invite */
};

struct invites *
invites_new(void)
{
	struct invites *iv = g_new0(struct invites, 1);

	iv->by_hash = g_hash_table_new_full(token_hash_key,
	    token_hash_equal, NULL, g_free);
	return iv;
}

void
invites_free(struct invites *iv)
{
	if (iv == NULL)
		return;
	g_hash_table_destroy(iv->by_hash);
	g_free(iv);
}

static gboolean
expired(gpointer k, gpointer v, gpointer ud)
{
	(void)k;
	return ((struct invite *)v)->expires_at <= *(const int64_t *)ud;
}

int
invites_add(struct invites *iv, const uint8_t hash[TOKEN_HASH_LEN],
    uint64_t room, int64_t expires_at, int64_t now)
{
	struct invite *in;

	if (g_hash_table_size(iv->by_hash) >= INVITE_MAX)
		g_hash_table_foreach_remove(iv->by_hash, expired, &now);
	if (g_hash_table_size(iv->by_hash) >= INVITE_MAX)
		return -1;
	in = g_new0(struct invite, 1);
	memcpy(in->hash, hash, TOKEN_HASH_LEN);
	in->room = room;
	in->expires_at = expires_at;
	g_hash_table_replace(iv->by_hash, in->hash, in);
	return 0;
}

uint64_t
invites_take(struct invites *iv, const uint8_t hash[TOKEN_HASH_LEN],
    int64_t now)
{
	struct invite *in = g_hash_table_lookup(iv->by_hash, hash);
	uint64_t room;

	if (in == NULL)
		return 0;
	room = in->expires_at > now ? in->room : 0;
	g_hash_table_remove(iv->by_hash, hash);
	return room;
}

static gboolean
of_room(gpointer k, gpointer v, gpointer ud)
{
	(void)k;
	return ((struct invite *)v)->room == *(const uint64_t *)ud;
}

void
invites_drop_room(struct invites *iv, uint64_t room)
{
	g_hash_table_foreach_remove(iv->by_hash, of_room, &room);
}

unsigned
invites_count(const struct invites *iv)
{
	return g_hash_table_size(iv->by_hash);
}
