/*
 * auth: see auth.h.
 *
 * A login is a job: looked up in the store on the main thread, verified
 * by a GThreadPool worker, then handed back with g_idle_add. A failure is
 * answered AUTH_FAIL_DELAY_MS after it arrived (a GLib timeout), so the
 * time tells nothing about whether the name exists. Throttling counts
 * failures per name and per address inside a window of
 * login_lockout_seconds; at login_failures the key is locked for that
 * long.
 */
#include "auth.h"

#include <glib.h>
#include <string.h>

#include "log.h"
#include "pwhash.h"

struct fails {
	int count;
	int64_t first;
	int64_t locked_until;
};

struct job {
	struct auth *a;
	uint64_t serial;
	char user[STORE_USER_MAX + 1];
	char addr[64];
	char *password;
	bool found;
	struct store_clerk clerk;
	int verdict;            /* pwhash_verify's answer */
	int64_t now;
	gint64 started_us;      /* monotonic */
	enum auth_result result;
	int retry_after;
};

struct auth {
	const struct config *cfg;
	struct store *st;
	auth_done_fn done;
	void *ud;
	GThreadPool *pool;
	GHashTable *fails;      /* "u:name" / "a:addr" -> struct fails */
	GPtrArray *pending;     /* jobs not yet answered */
	bool dying;
};

static void
job_free(struct job *j)
{
	if (j->password != NULL) {
		explicit_bzero(j->password, strlen(j->password));
		g_free(j->password);
	}
	explicit_bzero(&j->clerk.pwhash, sizeof(j->clerk.pwhash));
	g_free(j);
}

static struct fails *
fails_get(struct auth *a, const char *prefix, const char *key, bool create)
{
	char k[STORE_USER_MAX + 70];
	struct fails *f;

	snprintf(k, sizeof(k), "%s%s", prefix, key);
	f = g_hash_table_lookup(a->fails, k);
	if (f == NULL && create) {
		f = g_new0(struct fails, 1);
		g_hash_table_insert(a->fails, g_strdup(k), f);
	}
	return f;
}

/* Seconds the key is still locked, or 0. */
static int
locked(struct auth *a, const char *prefix, const char *key, int64_t now)
{
	struct fails *f = fails_get(a, prefix, key, false);

	if (f == NULL || f->locked_until <= now)
		return 0;
	return (int)(f->locked_until - now);
}

static void
record_failure(struct auth *a, const char *prefix, const char *key,
    int64_t now)
{
	struct fails *f = fails_get(a, prefix, key, true);
	int64_t window = a->cfg->limits.login_lockout_seconds;

	if (now - f->first > window) {
		f->count = 0;
		f->first = now;
	}
	if (++f->count >= a->cfg->limits.login_failures) {
		f->locked_until = now + window;
		f->count = 0;
		f->first = now;
		log_warning("login locked for %lld s after repeated failures "
		    "(%s)", (long long)window, *prefix == 'u' ?
		    "one account" : "one address");
	}
}

static gboolean
deliver(gpointer p)
{
	struct job *j = p;
	struct auth *a = j->a;

	g_ptr_array_remove_fast(a->pending, j);
	if (!a->dying)
		a->done(a->ud, j->serial, j->result, j->retry_after,
		    j->result == AUTH_OK ? &j->clerk : NULL);
	job_free(j);
	return G_SOURCE_REMOVE;
}

/* Back on the main thread after the worker verified. */
static gboolean
verified(gpointer p)
{
	struct job *j = p;
	struct auth *a = j->a;
	gint64 elapsed_ms, delay;

	if (a->dying) {
		g_ptr_array_remove_fast(a->pending, j);
		job_free(j);
		return G_SOURCE_REMOVE;
	}
	if (j->found && j->verdict == 1) {
		struct fails *f = fails_get(a, "u:", j->user, false);

		if (f != NULL)
			f->count = 0;
		j->result = AUTH_OK;
		return deliver(j);
	}
	if (j->found && j->verdict < 0)
		log_error("the stored password hash of a clerk is damaged; "
		    "reset it with \"klopfd user passwd\"");
	record_failure(a, "u:", j->user, j->now);
	record_failure(a, "a:", j->addr, j->now);
	j->result = AUTH_BAD;
	elapsed_ms = (g_get_monotonic_time() - j->started_us) / 1000;
	delay = AUTH_FAIL_DELAY_MS - elapsed_ms;
	g_timeout_add(delay > 0 ? (guint)delay : 0, deliver, j);
	return G_SOURCE_REMOVE;
}

static void
work(gpointer data, gpointer user_data)
{
	struct job *j = data;

	(void)user_data;
	if (j->found) {
		j->verdict = pwhash_verify(j->password, j->clerk.pwhash);
	} else {
		pwhash_dummy(j->password);
		j->verdict = 0;
	}
	explicit_bzero(j->password, strlen(j->password));
	g_idle_add(verified, j);
}

struct auth *
auth_new(const struct config *cfg, struct store *st, auth_done_fn done,
    void *ud)
{
	struct auth *a = g_new0(struct auth, 1);

	a->cfg = cfg;
	a->st = st;
	a->done = done;
	a->ud = ud;
	a->pool = g_thread_pool_new(work, a, 2, FALSE, NULL);
	a->fails = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	a->pending = g_ptr_array_new();
	return a;
}

void
auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	a->dying = true;
	/* Let running verifications finish; their idle callbacks see dying. */
	g_thread_pool_free(a->pool, FALSE, TRUE);
	while (a->pending->len > 0) {
		struct job *j = g_ptr_array_index(a->pending, 0);

		g_ptr_array_remove_index_fast(a->pending, 0);
		g_idle_remove_by_data(j);
		g_source_remove_by_user_data(j);
		job_free(j);
	}
	g_ptr_array_free(a->pending, TRUE);
	g_hash_table_destroy(a->fails);
	g_free(a);
}

void
auth_login(struct auth *a, const char *user, const char *password,
    const char *addr, int64_t now, uint64_t serial)
{
	struct job *j = g_new0(struct job, 1);
	int wait_user, wait_addr;

	j->a = a;
	j->serial = serial;
	j->now = now;
	j->started_us = g_get_monotonic_time();
	g_strlcpy(j->user, user, sizeof(j->user));
	g_strlcpy(j->addr, addr, sizeof(j->addr));
	g_ptr_array_add(a->pending, j);

	wait_user = locked(a, "u:", j->user, now);
	wait_addr = locked(a, "a:", j->addr, now);
	if (wait_user > 0 || wait_addr > 0) {
		j->result = AUTH_THROTTLED;
		j->retry_after = wait_user > wait_addr ? wait_user : wait_addr;
		g_timeout_add(AUTH_FAIL_DELAY_MS, deliver, j);
		return;
	}
	switch (store_clerk_get(a->st, user, &j->clerk)) {
	case STORE_OK:
		j->found = true;
		break;
	case STORE_E_NOTFOUND:
		break;
	default:
		j->result = AUTH_ERROR;
		g_idle_add(deliver, j);
		return;
	}
	j->password = g_strdup(password);
	g_thread_pool_push(a->pool, j, NULL);
}

void
auth_expire(struct auth *a, int64_t now)
{
	GHashTableIter it;
	gpointer v;
	int64_t window = a->cfg->limits.login_lockout_seconds;

	g_hash_table_iter_init(&it, a->fails);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct fails *f = v;

		if (f->locked_until <= now && now - f->first > window)
			g_hash_table_iter_remove(&it);
	}
}
