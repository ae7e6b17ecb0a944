/* version: the release of klopf, shown by klopfd -V and in "welcome". */
#ifndef KLOPF_VERSION_H
#define KLOPF_VERSION_H
#define KLOPF_VERSION "0.1.0"
#endif
