/*
 * auth: clerk logins. Checks a password against the store's scrypt hash on
 * a worker thread (tens of milliseconds each, which must not stall the
 * media and signaling loop), answers every failure after the same fixed
 * delay whether or not the user exists, and throttles repeated failures
 * per account name and per client address.
 *
 * Runs its completion callbacks on the main loop's thread. Never logs
 * passwords; logs user names only on success or lockout.
 */
#ifndef KLOPF_AUTH_H
#define KLOPF_AUTH_H

#include <stdint.h>

#include "config.h"
#include "store.h"

#define AUTH_FAIL_DELAY_MS 1000 /* every failed login is answered after this */

enum auth_result {
	AUTH_OK = 0,
	AUTH_BAD,               /* wrong name or password */
	AUTH_THROTTLED,         /* too many failures; see retry_after */
	AUTH_ERROR,             /* the store failed */
};

/* clerk is valid only during the call (NULL unless AUTH_OK). */
typedef void (*auth_done_fn)(void *ud, uint64_t serial, enum auth_result r,
    int retry_after, const struct store_clerk *clerk);

struct auth;

struct auth *auth_new(const struct config *cfg, struct store *st,
    auth_done_fn done, void *ud);
/* Drops pending results; their callbacks will not run. */
void auth_free(struct auth *a);
/* Starts a login; done(ud, serial, ...) runs later on the main thread.
 * now is Unix seconds (throttle bookkeeping). */
void auth_login(struct auth *a, const char *user, const char *password,
    const char *addr, int64_t now, uint64_t serial);
/* Forgets throttle entries that have run out (call now and then). */
void auth_expire(struct auth *a, int64_t now);

#endif
