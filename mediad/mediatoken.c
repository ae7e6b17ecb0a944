/*
 * mediatoken: see mediatoken.h.
 */
#include "mediatoken.h"

#include <glib.h>
#include <string.h>

struct mtoken {
	uint8_t hash[TOKEN_HASH_LEN];
	struct mediatoken_grant g;
	int64_t expires_at;
};

/* The tokens one clerk holds, in no order. */
struct held {
	uint64_t clerk;
	unsigned n;
	struct mtoken *tok[MEDIATOKEN_PER_CLERK];
};

struct mediatokens {
	GHashTable *by_hash;    /* hash bytes -> struct mtoken (owned) */
	GHashTable *by_clerk;   /* &held.clerk -> struct held (owned) */
};

struct mediatokens *
mediatokens_new(void)
{
	struct mediatokens *mt = g_new0(struct mediatokens, 1);

	mt->by_hash = g_hash_table_new_full(token_hash_key,
	    token_hash_equal, NULL, g_free);
	mt->by_clerk = g_hash_table_new_full(g_int64_hash, g_int64_equal,
	    NULL, g_free);
	return mt;
}

static void
wipe(gpointer k, gpointer v, gpointer ud)
{
	(void)k;
	(void)ud;
	explicit_bzero(v, sizeof(struct mtoken));
}

void
mediatokens_free(struct mediatokens *mt)
{
	if (mt == NULL)
		return;
	g_hash_table_foreach(mt->by_hash, wipe, NULL);
	g_hash_table_destroy(mt->by_hash);
	g_hash_table_destroy(mt->by_clerk);
	g_free(mt);
}

/* Removes the i-th token of h from both tables; h itself goes when it
 * holds none any more (then h is freed: the caller must not use it). */
static void
drop(struct mediatokens *mt, struct held *h, unsigned i)
{
	struct mtoken *t = h->tok[i];

	h->tok[i] = h->tok[--h->n];
	h->tok[h->n] = NULL;
	explicit_bzero(t->g.session, sizeof(t->g.session));
	g_hash_table_remove(mt->by_hash, t->hash);
	if (h->n == 0)
		g_hash_table_remove(mt->by_clerk, &h->clerk);
}

/* Drops h's tokens that match; returns false if h is gone. */
static bool
drop_if(struct mediatokens *mt, struct held *h,
    bool (*match)(const struct mtoken *, const void *), const void *arg)
{
	unsigned i = 0;

	while (i < h->n) {
		if (!match(h->tok[i], arg)) {
			i++;
			continue;
		}
		if (h->n == 1) {
			drop(mt, h, i);
			return false;
		}
		drop(mt, h, i);
	}
	return true;
}

static bool
is_expired(const struct mtoken *t, const void *now)
{
	return t->expires_at <= *(const int64_t *)now;
}

int
mediatokens_add(struct mediatokens *mt, const uint8_t hash[TOKEN_HASH_LEN],
    const struct mediatoken_grant *g, int64_t now)
{
	struct held *h = g_hash_table_lookup(mt->by_clerk, &g->clerk);
	struct mtoken *t;

	if (h != NULL && !drop_if(mt, h, is_expired, &now))
		h = NULL;
	if (h != NULL && h->n >= MEDIATOKEN_PER_CLERK)
		return -1;
	if (h == NULL) {
		h = g_new0(struct held, 1);
		h->clerk = g->clerk;
		g_hash_table_insert(mt->by_clerk, &h->clerk, h);
	}
	t = g_new0(struct mtoken, 1);
	memcpy(t->hash, hash, TOKEN_HASH_LEN);
	t->g = *g;
	t->expires_at = now + MEDIATOKEN_TTL;
	/* a hash that is already there (never, with 128 random bits) would
	 * leave a dangling entry in its clerk's list: refuse it */
	if (g_hash_table_contains(mt->by_hash, t->hash)) {
		g_free(t);
		if (h->n == 0)
			g_hash_table_remove(mt->by_clerk, &g->clerk);
		return -1;
	}
	g_hash_table_insert(mt->by_hash, t->hash, t);
	h->tok[h->n++] = t;
	return 0;
}

int
mediatokens_take(struct mediatokens *mt, const uint8_t hash[TOKEN_HASH_LEN],
    int64_t now, struct mediatoken_grant *g)
{
	struct mtoken *t = g_hash_table_lookup(mt->by_hash, hash);
	struct held *h;
	bool valid;

	if (t == NULL)
		return -1;
	valid = t->expires_at > now;
	if (valid)
		*g = t->g;
	h = g_hash_table_lookup(mt->by_clerk, &t->g.clerk);
	for (unsigned i = 0; h != NULL && i < h->n; i++)
		if (h->tok[i] == t) {
			drop(mt, h, i);
			break;
		}
	return valid ? 0 : -1;
}

static bool
of_room(const struct mtoken *t, const void *room)
{
	return t->g.room == *(const uint64_t *)room;
}

void
mediatokens_drop_room(struct mediatokens *mt, uint64_t clerk, uint64_t room)
{
	struct held *h = g_hash_table_lookup(mt->by_clerk, &clerk);

	if (h != NULL)
		drop_if(mt, h, of_room, &room);
}

static bool
of_session(const struct mtoken *t, const void *session)
{
	return memcmp(t->g.session, session, TOKEN_HASH_LEN) == 0;
}

void
mediatokens_drop_session(struct mediatokens *mt, uint64_t clerk,
    const uint8_t session[TOKEN_HASH_LEN])
{
	struct held *h = g_hash_table_lookup(mt->by_clerk, &clerk);

	if (h != NULL)
		drop_if(mt, h, of_session, session);
}

void
mediatokens_expire(struct mediatokens *mt, int64_t now)
{
	GArray *clerks = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	GHashTableIter it;
	gpointer v;

	/* drop_if may remove a clerk's entry: collect the clerks first */
	g_hash_table_iter_init(&it, mt->by_clerk);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_array_append_val(clerks, ((struct held *)v)->clerk);
	for (guint i = 0; i < clerks->len; i++) {
		struct held *h = g_hash_table_lookup(mt->by_clerk,
		    &g_array_index(clerks, uint64_t, i));

		if (h != NULL)
			drop_if(mt, h, is_expired, &now);
	}
	g_array_free(clerks, TRUE);
}

unsigned
mediatokens_count(const struct mediatokens *mt)
{
	return g_hash_table_size(mt->by_hash);
}
