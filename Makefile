# klopf — one Makefile for everything. See README.md.
#
#   make          build klopfd, the console klopf and klopf-video
#   make run      start klopfd with the development setup under var/
#   make check    every test: C units (plain and with ASan+UBSan),
#                 protocol tests against a real klopfd, the console in
#                 tmux, man page lint
#   make bench    benchmarks with their figures
#   make deps     install missing Debian and npm packages
#   make install  DESTDIR=... PREFIX=/usr

SHELL := /bin/bash

PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
BUILD ?= build

PKGS = libwebsockets glib-2.0 jansson libconfig sqlite3 openssl nice liburing
# libsrtp2 only as the reference the unit tests compare our SRTP with
# (tests/unit/test_srtp.c); klopfd does SRTP on OpenSSL (architecture.md).
REF_PKGS = libsrtp2
CC ?= cc
WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
       -Wmissing-prototypes -Wno-unused-parameter
CFLAGS ?= -O2 -g
SAN_CFLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=undefined
ifeq ($(SAN),1)
CFLAGS := $(SAN_CFLAGS)
endif
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Icommon -Imediad \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
TEST_LDLIBS = $(LDLIBS) $(shell pkg-config --libs cmocka $(REF_PKGS) 2>/dev/null)

COMMON_SRC = $(wildcard common/*.c)
MEDIAD_SRC = $(filter-out mediad/main.c,$(wildcard mediad/*.c))
LIB_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(COMMON_SRC) $(MEDIAD_SRC))
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
MANPAGES = $(wildcard man/*.[1-8])

# The clerk console: console/*.c and common/*.c, never mediad/.
CONSOLE_PKGS = libwebsockets glib-2.0 jansson libconfig openssl ncursesw
CONSOLE_CFLAGS = $(ALL_CFLAGS) -Iconsole \
                 $(shell pkg-config --cflags ncursesw 2>/dev/null)
CONSOLE_LDLIBS = $(shell pkg-config --libs $(CONSOLE_PKGS) 2>/dev/null) \
                 -lpthread -lm
CONSOLE_SRC = $(filter-out console/main.c,$(wildcard console/*.c))
CONSOLE_LIB_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(CONSOLE_SRC) $(COMMON_SRC))

.PHONY: all run check check-unit check-unit-san check-proto check-proto-san check-man \
        bench deps install clean unit

all: $(BUILD)/klopfd $(BUILD)/klopf

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libklopf.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/klopfd: $(BUILD)/mediad/main.o $(BUILD)/libklopf.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/libklopf.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(TEST_LDLIBS)

$(BUILD)/console/%.o: console/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CONSOLE_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libklopfcon.a: $(CONSOLE_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/klopf: $(BUILD)/console/main.o $(BUILD)/libklopfcon.a
	$(CC) $(CFLAGS) -o $@ $^ $(CONSOLE_LDLIBS)

$(BUILD)/tests/unit/test_console_%.o: tests/unit/test_console_%.c
	@mkdir -p $(dir $@)
	$(CC) $(CONSOLE_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/test_console_%: $(BUILD)/tests/unit/test_console_%.o \
    $(BUILD)/libklopfcon.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(CONSOLE_LDLIBS) \
	  $(shell pkg-config --libs cmocka 2>/dev/null)

unit: $(UNIT_BIN)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# --- dependencies -----------------------------------------------------------

DEBS = build-essential pkg-config libwebsockets-dev libwebsockets-evlib-glib \
       libglib2.0-dev libjansson-dev libconfig-dev libsqlite3-dev libssl-dev \
       libcmocka-dev libncurses-dev libnice-dev libsrtp2-dev liburing-dev \
       sqlite3 mandoc tmux util-linux iproute2 procps \
       clang libclang-rt-14-dev chromium \
       libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev \
       libgstreamer-plugins-bad1.0-dev gstreamer1.0-plugins-base \
       gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-nice \
       gstreamer1.0-x libx11-dev xvfb x11-apps imagemagick xdotool nftables
NODE_DEBS = nodejs npm

deps:
	@missing=""; \
	for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' \
	    || missing="$$missing $$p"; \
	done; \
	command -v node >/dev/null && command -v npm >/dev/null \
	  || missing="$$missing $(NODE_DEBS)"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing Debian packages:$$missing"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $$missing; \
	fi
	@if [ ! -d tests/node_modules ] || \
	    [ tests/package-lock.json -nt tests/node_modules ]; then \
	  echo "Installing test tools from the npm registry (tests/package.json)"; \
	  cd tests && npm ci --no-audit --no-fund --loglevel=error && \
	  touch node_modules; \
	fi

# --- running ----------------------------------------------------------------

run: deps all
	@./tools/dev-run

# --- tests ------------------------------------------------------------------

# Every suite runs even when an earlier one fails; the log is summed up by
# tests/summarize, whose last line "N passed, N failed" is what CI counts.
CHECK_SUITES = check-man check-unit check-unit-san check-proto check-proto-san \
               check-console check-js check-browser check-fuzz

check: deps
	@mkdir -p build
	@set -o pipefail; rc=0; \
	{ $(MAKE) --no-print-directory all unit || exit 1; \
	  for s in $(CHECK_SUITES); do \
	    echo "== make $$s"; \
	    $(MAKE) --no-print-directory $$s || { echo "FAILED: make $$s"; rc=1; }; \
	  done; exit $$rc; } 2>&1 | tee build/check.log; rc=$$?; \
	if [ $$rc -eq 0 ]; then echo "make check: all test suites passed"; \
	else echo "make check: some suites FAILED (see above)"; fi; \
	tests/summarize build/check.log || true; exit $$rc

check-unit: unit
	@./tests/run-units $(BUILD)/tests

check-unit-san:
	@$(MAKE) --no-print-directory BUILD=build/san SAN=1 unit
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 ./tests/run-units build/san/tests

# The protocol tests run inside a private network namespace with only
# loopback (tests/netns), since the media tests make klopfd open media
# ports: nothing can leave the machine.
check-proto: all
	@cd tests && KLOPFD=../$(BUILD)/klopfd ./netns node --test \
	  --test-concurrency=1 proto/

# The same protocol tests against klopfd built with ASan and UBSan: the
# daemon's shell (web, session, auth) is exercised only here. Any sanitizer
# report makes klopfd exit non-zero, which the harness reports.
check-proto-san:
	@$(MAKE) --no-print-directory BUILD=build/san SAN=1 build/san/klopfd
	@cd tests && ASAN_OPTIONS=detect_leaks=1:exitcode=99 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 KLOPFD=../build/san/klopfd ./netns node --test --test-concurrency=1 proto/

check-man:
	@for m in $(MANPAGES); do \
	  mandoc -T lint -W warning $$m || exit 1; \
	done; echo "man pages: $(words $(MANPAGES)) linted, 0 warnings"

# The clerk console in tmux (80x24, 120x40) against a real klopfd on
# loopback, citizens played by protocol clients; each test has its own
# tmux server (tmux -L) and kills only that.
.PHONY: check-console
check-console: all
	@cd tests && KLOPFD=../$(BUILD)/klopfd KLOPF=../$(BUILD)/klopf \
	  node --test --test-concurrency=1 console/

# The web client's pure modules (webclient/js/*.js without DOM), imported
# as they are by node --test.
.PHONY: check-js check-browser
check-js:
	@cd tests && node --test unit-js/

# The web client in Debian's headless chromium (playwright-core, never a
# downloaded browser) against a real klopfd, inside a network namespace
# with only loopback that tests/browser/run makes. Screenshots of every
# page go to tests/artifacts/browser/.
check-browser: all
	@KLOPFD=../$(BUILD)/klopfd ./tests/browser/run

# --- klopf-video (console/video) ---------------------------------------------
# The clerk's video window: console/video/*.c, linked with the console's
# net.c and conf.c and common/ (never mediad/).
# GStreamer 1.22 with webrtcbin; see doc/video.md.
VIDEO_PKGS = gstreamer-1.0 gstreamer-webrtc-1.0 gstreamer-sdp-1.0 \
             gstreamer-video-1.0 libwebsockets glib-2.0 jansson libconfig \
             openssl x11
VIDEO_CFLAGS = $(ALL_CFLAGS) -Iconsole -Iconsole/video \
               $(shell pkg-config --cflags $(VIDEO_PKGS) 2>/dev/null)
VIDEO_LDLIBS = $(shell pkg-config --libs $(VIDEO_PKGS) 2>/dev/null) \
               -lpthread -lm
VIDEO_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard console/video/*.c))
VIDEO_USES = $(BUILD)/console/net.o $(BUILD)/console/conf.o \
             $(patsubst %.c,$(BUILD)/%.o,$(COMMON_SRC))

all: $(BUILD)/klopf-video

$(BUILD)/console/video/%.o: console/video/%.c
	@mkdir -p $(dir $@)
	$(CC) $(VIDEO_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/klopf-video: $(VIDEO_OBJ) $(VIDEO_USES)
	$(CC) $(CFLAGS) -o $@ $^ $(VIDEO_LDLIBS)

# The window under Xvfb, inside a network namespace with only loopback
# (tests/video/run): a chromium citizen, a real klopfd, klopf-video as
# the clerk with test sources. Screenshots go to tests/artifacts/video/.
# tests/video/test_secret.c and test_quality.c (cmocka) run first: the
# hand-over of the credential on a descriptor, the status line's
# connection quality.
.PHONY: check-video check-video-san install-video
CHECK_SUITES += check-video check-video-san
$(BUILD)/tests/video/test_secret: tests/video/test_secret.c \
    $(BUILD)/console/video/secret.o
	@mkdir -p $(dir $@)
	$(CC) $(VIDEO_CFLAGS) -o $@ $^ $(VIDEO_LDLIBS) \
	  $(shell pkg-config --libs cmocka 2>/dev/null)

$(BUILD)/tests/video/test_quality: tests/video/test_quality.c \
    $(BUILD)/console/video/quality.o
	@mkdir -p $(dir $@)
	$(CC) $(VIDEO_CFLAGS) -o $@ $^ $(VIDEO_LDLIBS) \
	  $(shell pkg-config --libs cmocka 2>/dev/null)

check-video: $(BUILD)/klopfd $(BUILD)/klopf-video $(BUILD)/tests/video/test_secret \
    $(BUILD)/tests/video/test_quality
	@$(BUILD)/tests/video/test_secret
	@$(BUILD)/tests/video/test_quality
	@KLOPFD=../$(BUILD)/klopfd KLOPF_VIDEO=../$(BUILD)/klopf-video \
	  ./tests/video/run

# The same with klopf-video built with ASan and UBSan; the tests fail on
# any report in its output. Leaks are not checked: GStreamer's registry,
# fontconfig and GLib's type system keep their memory until exit.
check-video-san: $(BUILD)/klopfd
	@$(MAKE) --no-print-directory BUILD=build/san SAN=1 build/san/klopf-video \
	  build/san/tests/video/test_secret build/san/tests/video/test_quality
	@ASAN_OPTIONS=detect_leaks=1 build/san/tests/video/test_secret
	@ASAN_OPTIONS=detect_leaks=1 build/san/tests/video/test_quality
	@ASAN_OPTIONS=detect_leaks=0:exitcode=99 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 KLOPFD=../$(BUILD)/klopfd KLOPF_VIDEO=../build/san/klopf-video \
	 ./tests/video/run

# tests/video/console.test.mjs: the console klopf in tmux starts the
# window by itself, as a clerk's would.
check-video check-video-san: $(BUILD)/klopf

install: install-video
install-video: $(BUILD)/klopf-video
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/klopf-video $(DESTDIR)$(PREFIX)/bin/klopf-video
	install -m 644 man/klopf-video.1 $(DESTDIR)$(PREFIX)/share/man/man1/
# --- end of klopf-video -------------------------------------------------------

# --- fuzzing ----------------------------------------------------------------
# One libFuzzer target per parser: tests/fuzz/fuzz_NAME.c, built by clang
# with ASan and UBSan from the sources in FUZZ_SRC_NAME. Seeds come from
# tests/fixtures/NAME/ and words from tests/fuzz/NAME.dict when they exist;
# new inputs go to build/fuzz/corpus/NAME/, a crashing input to
# build/fuzz/fuzz_NAME-crash-*. check-fuzz runs each for FUZZ_TIME seconds,
# fuzz for FUZZ_LONG_TIME. To add one: its NAME to FUZZERS, a FUZZ_SRC_NAME
# and a fuzz-NAME-build rule like fuzz-sdp-build.

FUZZ_CC ?= clang
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
              -fsanitize=fuzzer,address,undefined \
              -fno-sanitize-recover=undefined $(WARN) -Icommon -Imediad
FUZZ_TIME ?= 20
FUZZ_LONG_TIME ?= 600
FUZZ_DIR = build/fuzz
FUZZERS = sdp rtp rtcp
FUZZ_SRC_sdp = mediad/sdp.c mediad/sdp_parse.c mediad/sdp_gen.c
FUZZ_SRC_rtp = mediad/rtp.c mediad/rtp_stats.c mediad/rtp_history.c \
               mediad/rtcp.c
FUZZ_SRC_rtcp = mediad/rtcp.c

.PHONY: check-fuzz fuzz $(FUZZERS:%=fuzz-%-build)

fuzz-sdp-build: $(FUZZ_DIR)/fuzz_sdp

$(FUZZ_DIR)/fuzz_sdp: tests/fuzz/fuzz_sdp.c $(FUZZ_SRC_sdp) mediad/sdp.h \
    mediad/sdp_int.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_sdp.c $(FUZZ_SRC_sdp)

fuzz-rtp-build: $(FUZZ_DIR)/fuzz_rtp
fuzz-rtcp-build: $(FUZZ_DIR)/fuzz_rtcp

$(FUZZ_DIR)/fuzz_rtp: tests/fuzz/fuzz_rtp.c $(FUZZ_SRC_rtp) mediad/rtp.h \
    mediad/rtp_stats.h mediad/rtp_history.h mediad/rtcp.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_rtp.c $(FUZZ_SRC_rtp)

$(FUZZ_DIR)/fuzz_rtcp: tests/fuzz/fuzz_rtcp.c $(FUZZ_SRC_rtcp) mediad/rtcp.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_rtcp.c $(FUZZ_SRC_rtcp)

check-fuzz: $(FUZZERS:%=fuzz-%-build)
	@for f in $(FUZZERS); do \
	  corpus=$(FUZZ_DIR)/corpus/$$f; log=$(FUZZ_DIR)/fuzz_$$f.log; \
	  mkdir -p $$corpus; seeds=; dict=; \
	  [ -d tests/fixtures/$$f ] && seeds=tests/fixtures/$$f; \
	  [ -f tests/fuzz/$$f.dict ] && dict=-dict=tests/fuzz/$$f.dict; \
	  if ! $(FUZZ_DIR)/fuzz_$$f -max_total_time=$(FUZZ_TIME) -timeout=10 \
	       -rss_limit_mb=2048 -artifact_prefix=$(FUZZ_DIR)/fuzz_$$f- \
	       $$dict $$corpus $$seeds >$$log 2>&1; then \
	    tail -n 40 $$log; \
	    echo "fuzz_$$f: FAILED, see $$log and $(FUZZ_DIR)/fuzz_$$f-*"; \
	    exit 1; \
	  fi; \
	  echo "fuzz_$$f: $$(grep -o 'Done [0-9]* runs' $$log | tail -n 1)" \
	       "in $(FUZZ_TIME) s, no crash"; \
	done

fuzz:
	@$(MAKE) --no-print-directory check-fuzz FUZZ_TIME=$(FUZZ_LONG_TIME)

bench: deps all
	@cd bench && KLOPFD=../$(BUILD)/klopfd ./run

# --- installing -------------------------------------------------------------

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(SYSCONFDIR)/klopf \
	  $(DESTDIR)$(PREFIX)/share/klopf/webclient \
	  $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/klopfd $(DESTDIR)$(PREFIX)/sbin/klopfd
	install -m 755 $(BUILD)/klopf $(DESTDIR)$(PREFIX)/bin/klopf
	install -m 644 man/klopf.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 etc/klopf.conf \
	  $(DESTDIR)$(PREFIX)/share/klopf/klopf.conf.sample
	install -m 644 etc/klopfd.conf $(DESTDIR)$(SYSCONFDIR)/klopf/klopfd.conf.sample
	[ -e $(DESTDIR)$(SYSCONFDIR)/klopf/klopfd.conf ] || \
	  install -m 644 etc/klopfd.conf $(DESTDIR)$(SYSCONFDIR)/klopf/klopfd.conf
	cp -R webclient/. $(DESTDIR)$(PREFIX)/share/klopf/webclient/
	install -m 644 man/klopfd.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 man/klopfd.8 $(DESTDIR)$(PREFIX)/share/man/man8/

clean:
	rm -rf build
