/*
 * pwhash: clerk password hashes with scrypt (OpenSSL 3 EVP_KDF "SCRYPT").
 *
 * Hashes are self-describing strings
 *   $scrypt$ln=15,r=8,p=1$<salt base64>$<hash base64>
 * so the cost can be raised later without breaking stored accounts: verify
 * reads the parameters from the string. Every call costs tens of
 * milliseconds on purpose; the daemon runs them in a worker thread. The
 * functions keep no state and are safe to call from any thread. Passwords
 * and hashes are never logged.
 */
#ifndef KLOPF_PWHASH_H
#define KLOPF_PWHASH_H

#include <stddef.h>

#define PWHASH_MAX 128          /* room for a hash string, NUL included */
#define PWHASH_PASSWORD_MAX 1024 /* longest password pwhash_make accepts */

/* Hashes password (1..PWHASH_PASSWORD_MAX bytes) with a fresh random salt
 * into out (outlen >= PWHASH_MAX is always enough). Returns 0, or -1 if
 * the password is empty or too long, out is too small or OpenSSL failed. */
int pwhash_make(const char *password, char *out, size_t outlen);

/* Returns 1 if password matches the stored hash string, 0 if not, -1 if
 * stored is not a hash string this module understands. */
int pwhash_verify(const char *password, const char *stored);

/* Does the work of a verify against a fixed dummy hash, so that a login
 * for an unknown user takes as long as one for a known user. */
void pwhash_dummy(const char *password);

#endif
