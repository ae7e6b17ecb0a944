/*
 * usercmd: the "klopfd user ..." subcommands that manage clerk accounts
 * in the store: add, del, list, passwd. Passwords are read from the
 * terminal without echo, or as one line from standard input when it is
 * not a terminal; never from the command line.
 */
#ifndef KLOPF_USERCMD_H
#define KLOPF_USERCMD_H

#include "config.h"

#define USERCMD_PASSWORD_MIN 8

/* argv[0] is "user". Returns the process exit status. */
int usercmd_main(const struct config *cfg, int argc, char **argv);

#endif
