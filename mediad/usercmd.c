/*
 * usercmd: see usercmd.h. Runs beside a live daemon: the store's busy
 * timeout lets both write the same file.
 */
#include "usercmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "pwhash.h"
#include "store.h"

static int
usage(void)
{
	fprintf(stderr,
	    "usage: klopfd [-c file] [--state-dir dir] user add NAME --office ID[,ID...]\n"
	    "       klopfd [-c file] [--state-dir dir] user del NAME\n"
	    "       klopfd [-c file] [--state-dir dir] user list\n"
	    "       klopfd [-c file] [--state-dir dir] user passwd NAME\n");
	return 2;
}

/* Reads one line without echo from the terminal, or from stdin. */
static int
read_line(const char *prompt, char *buf, size_t len)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO);
	size_t n;

	if (tty) {
		fputs(prompt, stderr);
		fflush(stderr);
		if (tcgetattr(STDIN_FILENO, &old) != 0)
			return -1;
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (fgets(buf, (int)len, stdin) == NULL)
		buf[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (n == len - 1)
		return -1;      /* longer than the buffer */
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return 0;
}

/* Asks for a new password (twice on a terminal) and hashes it. */
static int
new_password(const char *name, char *hash, size_t hashlen)
{
	char pw[PWHASH_PASSWORD_MAX + 2], again[PWHASH_PASSWORD_MAX + 2];
	char prompt[128];
	int rc = -1;

	snprintf(prompt, sizeof(prompt), "New password for %s: ", name);
	if (read_line(prompt, pw, sizeof(pw)) != 0) {
		fprintf(stderr, "klopfd: the password is longer than %d bytes\n",
		    PWHASH_PASSWORD_MAX);
		goto out;
	}
	if (strlen(pw) < USERCMD_PASSWORD_MIN) {
		fprintf(stderr, "klopfd: the password must have at least %d "
		    "characters\n", USERCMD_PASSWORD_MIN);
		goto out;
	}
	if (isatty(STDIN_FILENO)) {
		if (read_line("Repeat it: ", again, sizeof(again)) != 0 ||
		    strcmp(pw, again) != 0) {
			fprintf(stderr, "klopfd: the passwords differ\n");
			goto out;
		}
	}
	if (pwhash_make(pw, hash, hashlen) != 0) {
		fprintf(stderr, "klopfd: cannot hash the password\n");
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(again, sizeof(again));
	return rc;
}

static int
parse_offices(const struct config *cfg, char *list, const char **out, int *n)
{
	char *save = NULL;

	*n = 0;
	for (char *id = strtok_r(list, ",", &save); id != NULL;
	    id = strtok_r(NULL, ",", &save)) {
		if (config_office_find(cfg, id) == NULL) {
			fprintf(stderr, "klopfd: unknown office \"%s\"; the "
			    "configuration has:", id);
			for (int i = 0; i < cfg->noffices; i++)
				fprintf(stderr, " %s", cfg->offices[i].id);
			fputc('\n', stderr);
			return -1;
		}
		if (*n >= STORE_MAX_CLERK_OFFICES)
			return -1;
		out[(*n)++] = id;
	}
	if (*n == 0) {
		fprintf(stderr, "klopfd: name at least one office with "
		    "--office ID[,ID...]\n");
		return -1;
	}
	return 0;
}

static int
print_clerk(void *ud, const struct store_clerk *c)
{
	char when[32];
	time_t t = (time_t)c->created_at;
	struct tm tm;

	(void)ud;
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d", &tm);
	printf("%-20s %-10s ", c->name, when);
	for (int i = 0; i < c->noffices; i++)
		printf("%s%s", i ? "," : "", c->offices[i]);
	putchar('\n');
	return 0;
}

static int
cmd_add(const struct config *cfg, struct store *st, int argc, char **argv)
{
	const char *offices[STORE_MAX_CLERK_OFFICES];
	char hash[PWHASH_MAX], *list = NULL;
	const char *name = NULL;
	int n = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--office") == 0 && i + 1 < argc)
			list = argv[++i];
		else if (strncmp(argv[i], "--office=", 9) == 0)
			list = argv[i] + 9;
		else if (name == NULL && argv[i][0] != '-')
			name = argv[i];
		else
			return usage();
	}
	if (name == NULL || list == NULL)
		return usage();
	if (!store_clerk_name_valid(name)) {
		fprintf(stderr, "klopfd: user names are 1 to %d characters of "
		    "a-z, 0-9, '.', '_' and '-'\n", STORE_USER_MAX);
		return 1;
	}
	if (parse_offices(cfg, list, offices, &n) != 0)
		return 1;
	if (new_password(name, hash, sizeof(hash)) != 0)
		return 1;
	rc = store_clerk_add(st, name, hash, offices, n, (int64_t)time(NULL));
	explicit_bzero(hash, sizeof(hash));
	if (rc == STORE_E_EXISTS) {
		fprintf(stderr, "klopfd: user %s exists already\n", name);
		return 1;
	}
	if (rc != STORE_OK) {
		fprintf(stderr, "klopfd: cannot save user %s\n", name);
		return 1;
	}
	printf("user %s added\n", name);
	return 0;
}

int
usercmd_main(const struct config *cfg, int argc, char **argv)
{
	char err[512], hash[PWHASH_MAX];
	struct store *st;
	int rc = 1, r;

	if (argc < 2)
		return usage();
	st = store_open(cfg->state_dir, err, sizeof(err));
	if (st == NULL) {
		fprintf(stderr, "klopfd: %s\n", err);
		return 1;
	}
	if (strcmp(argv[1], "add") == 0) {
		rc = cmd_add(cfg, st, argc - 1, argv + 1);
	} else if (strcmp(argv[1], "list") == 0 && argc == 2) {
		rc = store_clerk_list(st, print_clerk, NULL) == STORE_OK ? 0 : 1;
	} else if (strcmp(argv[1], "del") == 0 && argc == 3) {
		r = store_clerk_del(st, argv[2]);
		if (r == STORE_E_NOTFOUND)
			fprintf(stderr, "klopfd: no user %s\n", argv[2]);
		else if (r == STORE_OK)
			printf("user %s deleted\n", argv[2]);
		rc = r == STORE_OK ? 0 : 1;
	} else if (strcmp(argv[1], "passwd") == 0 && argc == 3) {
		struct store_clerk c;

		if (store_clerk_get(st, argv[2], &c) != STORE_OK) {
			fprintf(stderr, "klopfd: no user %s\n", argv[2]);
		} else if (new_password(argv[2], hash, sizeof(hash)) == 0) {
			r = store_clerk_passwd(st, argv[2], hash);
			explicit_bzero(hash, sizeof(hash));
			if (r == STORE_OK) {
				printf("password of %s changed; its sessions "
				    "are ended\n", argv[2]);
				rc = 0;
			}
		}
		explicit_bzero(c.pwhash, sizeof(c.pwhash));
	} else {
		rc = usage();
	}
	store_close(st);
	return rc;
}
