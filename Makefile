# sockward - plain Makefile.
#
#   make              ./sockward (release build, in build/rel)
#   make check        the fast tier for your own iteration (about 3
#                     minutes from a clean tree, 1 when little changed):
#                     build, unit tests (also ASan+UBSan), the static
#                     build and the hardening check, fuzz corpus replay,
#                     six quick integration files (CHECK_TESTS)
#   make test         unit and integration tests (test_body_diff.py
#                     needs Go: go or /usr/local/go/bin/go)
#   make body-corpus  rewrite tests/fixtures/bodies from tests/diff
#   make docs         rewrite docs/PROFILES.md (sockward profiles --markdown)
#   make docs-check   fail when docs/PROFILES.md is stale
#   make SANITIZE=1   ASan+UBSan build in build/san (unit, integration)
#   make static       ./sockward-static (musl, static PIE, stripped)
#   make analyze      GCC's static analyzer;  make fuzz: the fuzzers
#
# Every build is hardened (HARDEN_* below, kept apart from CFLAGS and
# LDFLAGS so that `make CFLAGS=-O0` does not drop them silently);
# tests/check-hardening.sh reads the binaries and fails when a property
# is missing.  Core objects are compiled with -Isrc/core only, so a core
# file that includes a daemon header does not build.  Header dependencies
# come from the compiler (-MMD -MP, build/*/**.d).

VERSION   = 0.1.0
PREFIX   ?= /usr/local
CC       ?= cc
CFLAGS   ?= -O2 -g
WARNFLAGS = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral \
            -Wno-format-truncation -Werror
CPPFLAGS += -D_GNU_SOURCE -DSOCKWARD_VERSION='"$(VERSION)"' -Isrc/core
LDFLAGS  ?=
LDLIBS   ?=
# The daemon's TLS library (src/daemon/tls.c): Debian's libwolfssl-dev for
# the glibc builds (headers in /usr/include, so no DAEMON_CPPFLAGS);
# `make static` links its own musl build of it (WOLFSSL_MUSL below).
DAEMON_CPPFLAGS ?=
DAEMON_LDLIBS ?= -lwolfssl
PYTEST   ?= /usr/bin/python3 -m pytest
DEPFLAGS  = -MMD -MP

# Hardening, in every build.  Set on the command line to change them
# (`make HARDEN_CFLAGS=` turns the stack protector off, for instance);
# CFLAGS and LDFLAGS leave them alone.
#   -fstack-protector-strong  canary in every function with a local array
#                             or a local whose address is taken
#   -D_FORTIFY_SOURCE=3       glibc's checked variants (__memcpy_chk ...)
#                             where the object size is known; glibc
#                             falls back to level 2 with compilers
#                             older than GCC 12 / clang 9
#   -fPIE / -pie              a position-independent executable (ASLR)
#   -z relro -z now           relocations resolved at start-up, then the
#                             GOT and .data.rel.ro made read-only
HARDEN_CPPFLAGS ?= -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3
HARDEN_CFLAGS   ?= -fstack-protector-strong -fPIE
HARDEN_LDFLAGS  ?= -pie -Wl,-z,relro -Wl,-z,now

# _FORTIFY_SOURCE needs optimisation: glibc's headers #warning without it,
# which -Werror turns into an error.  Drop it, and say so, when the last
# -O in CFLAGS is -O0 or there is none.
ifneq ($(filter -D_FORTIFY_SOURCE%,$(HARDEN_CPPFLAGS)),)
ifeq ($(filter-out -O0,$(lastword $(filter -O%,$(CFLAGS)))),)
$(warning CFLAGS has no -O1 or above: building without _FORTIFY_SOURCE)
HARDEN_CPPFLAGS := $(filter-out -D_FORTIFY_SOURCE%,$(HARDEN_CPPFLAGS))
endif
endif

ifeq ($(SANITIZE),1)
BUILD    ?= build/san
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=address,undefined
# No _FORTIFY_SOURCE under the sanitizers: fortified calls go to glibc's
# __*_chk functions, few of which their runtime intercepts, so ASan would
# see fewer accesses (google/sanitizers#247).  These builds are for
# finding bugs, and ASan checks every access, not only known sizes.
HARDEN_CPPFLAGS := $(filter-out -D_FORTIFY_SOURCE%,$(HARDEN_CPPFLAGS))
else
BUILD    ?= build/rel
endif

ALL_CPPFLAGS = $(CPPFLAGS) $(HARDEN_CPPFLAGS)
ALL_CFLAGS   = $(WARNFLAGS) $(HARDEN_CFLAGS) $(CFLAGS)
ALL_LDFLAGS  = $(HARDEN_LDFLAGS) $(LDFLAGS)

CORE_SRC   := $(sort $(wildcard src/core/*.c))
DAEMON_SRC := $(sort $(wildcard src/daemon/*.c))
CORE_OBJ   := $(CORE_SRC:%.c=$(BUILD)/%.o)
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all clean test unit integration install
all: sockward

# ./sockward is always the release build: a sanitizer build stays in
# build/san (benchmarking an ASan binary by accident measures ASan).
.PHONY: sockward
ifeq ($(SANITIZE),1)
sockward: $(BUILD)/sockward
	@echo "SANITIZE=1: built $(BUILD)/sockward; ./sockward is left alone"
else
sockward: $(BUILD)/sockward
	cp $< $@.tmp && mv -f $@.tmp $@
endif

# $(BUILD)/flags holds the compiler and flags the objects were built
# with; when they change (other CFLAGS, or objects left from a build
# without the hardening), it is rewritten and everything is rebuilt.
BUILD_FLAGS = $(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(LDLIBS) \
    $(DAEMON_CPPFLAGS) $(DAEMON_LDLIBS)
ifneq ($(file <$(BUILD)/flags),$(strip $(BUILD_FLAGS)))
.PHONY: $(BUILD)/flags
endif
$(BUILD)/flags:
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(subst ','\'',$(strip $(BUILD_FLAGS)))' > $@

# A library named by its path in DAEMON_LDLIBS (the static build's
# libwolfssl.a) is a prerequisite: relink when it is rebuilt.
$(BUILD)/sockward: $(DAEMON_OBJ) $(CORE_OBJ) $(BUILD)/flags \
    $(filter %.a,$(DAEMON_LDLIBS))
	$(CC) $(HARDEN_CFLAGS) $(CFLAGS) $(ALL_LDFLAGS) -o $@ \
	    $(DAEMON_OBJ) $(CORE_OBJ) $(DAEMON_LDLIBS) $(LDLIBS)

# Layering: src/core sees only its own headers (CPPFLAGS has -Isrc/core);
# the daemon sees both.
$(BUILD)/src/core/%.o: src/core/%.c $(BUILD)/flags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/src/daemon/%.o: src/daemon/%.c $(BUILD)/flags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Isrc/daemon $(DAEMON_CPPFLAGS) $(ALL_CFLAGS) \
	    $(DEPFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(CORE_OBJ) $(BUILD)/flags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -Wno-missing-prototypes \
	    $(DEPFLAGS) -MF $@.d -MT $@ $(ALL_LDFLAGS) -o $@ $< $(CORE_OBJ) -lcmocka

# The rewriter's command-line driver, for tests/integration/test_jrewrite_diff.py.
$(BUILD)/tests/jrw_tool: tests/diff/jrw_tool.c $(CORE_OBJ) $(BUILD)/flags
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) -MF $@.d -MT $@ \
	    $(ALL_LDFLAGS) -o $@ $< $(CORE_OBJ)

-include $(CORE_OBJ:.o=.d) $(DAEMON_OBJ:.o=.d) $(UNIT_BIN:=.d) \
    $(BUILD)/tests/jrw_tool.d

# Unit tests: the pure modules linked alone, no sockets.
unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

# Integration tests: the built binary against the real dockerd.
# jrw_tool: the rewriter's command line, for test_jrewrite_diff.py;
# test_config --keywords: the parser's keywords, for test_docs.py.
integration: $(BUILD)/sockward $(BUILD)/tests/jrw_tool $(BUILD)/tests/test_config
	SOCKWARD_BIN=$(CURDIR)/$(BUILD)/sockward $(PYTEST) -v tests/integration

test: unit integration

# Rewrite the differential body corpus (tests/fixtures/bodies) from
# tests/diff/gen_corpus.py; test_body_diff.py fails while it is stale.  That
# test also builds tests/diff/moby (moby's own decoders, from the Go module
# proxy) and fails without a Go toolchain.
.PHONY: body-corpus
body-corpus:
	/usr/bin/python3 tests/diff/gen_corpus.py

# docs/PROFILES.md is `sockward profiles --markdown`, all of it: the rules
# and their reasons (src/core/profile.c), the prose
# (src/core/profile_doc.c) and the route table (src/core/engine_api.c).
# `make docs` rewrites it; `make docs-check` fails, showing the diff, when
# the committed file is not what the binary prints.
.PHONY: docs docs-check
docs: $(BUILD)/sockward
	$(BUILD)/sockward profiles --markdown > docs/PROFILES.md.tmp || \
	    { rm -f docs/PROFILES.md.tmp; exit 1; }
	mv -f docs/PROFILES.md.tmp docs/PROFILES.md

docs-check: $(BUILD)/sockward
	@tmp=$$(mktemp) && trap 'rm -f "$$tmp"' EXIT && \
	$(BUILD)/sockward profiles --markdown > "$$tmp" && \
	if ! diff -u docs/PROFILES.md "$$tmp"; then \
		echo "docs/PROFILES.md is stale: run make docs" >&2; exit 1; \
	fi

# The fast tier (about 3 minutes on 2 cores from a clean tree, plus about
# 2 minutes of CPU the first time for wolfSSL (make static, cached in
# build/wolfssl-musl); about 1 when little changed): what to run before
# each commit.  The full suite is
# scripts/test.sh (CI).  CHECK_TESTS picks the integration files: the CLI,
# the policy, malformed requests, Traefik's paths, upstream framing, the
# adversarial corpus and the docs checks, each under half a minute.
CHECK_TESTS ?= test_cli.py test_policy.py test_malformed.py \
               test_traefik_paths.py test_upstream_framing.py \
               test_adversarial.py test_docs.py test_docs_threat.py
.PHONY: check
check:
	@echo "== build, unit tests, docs/PROFILES.md current"
	@$(MAKE) --no-print-directory -s sockward unit docs-check
	@echo "== unit tests, ASan+UBSan build"
	@$(MAKE) --no-print-directory -s SANITIZE=1 unit
	@echo "== static build, hardening of both binaries"
	@$(MAKE) --no-print-directory -s static
	@./tests/check-hardening.sh
	@echo "== fuzz corpora and regressions, replayed"
	@$(MAKE) --no-print-directory -s fuzz-replay
	@echo "== integration tests: $(CHECK_TESTS)"
	@SOCKWARD_BIN=$(CURDIR)/$(BUILD)/sockward $(PYTEST) -q \
	    $(addprefix tests/integration/,$(CHECK_TESTS))

install: sockward
	install -D -m 0755 sockward $(DESTDIR)$(PREFIX)/bin/sockward
	install -D -m 0644 man/sockward.8 $(DESTDIR)$(PREFIX)/share/man/man8/sockward.8
	install -D -m 0644 man/sockward.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/sockward.conf.5

clean:
	rm -rf build sockward

# ---- Static binary and container image ----
# `make static`: ./sockward-static, fully static against musl (Debian's
# musl-tools), stripped.  musl rather than glibc -static: a fraction of the
# size and no NSS (sockward resolves no names and looks up no users).  The
# image (Dockerfile, Dockerfile.multistage) copies exactly this file.
#
# --gc-sections: unreferenced sections are dropped; wolfSSL is compiled
# with a section per function (scripts/wolfssl-musl.sh), so the parts of
# it the daemon never calls stay out of the binary.
#
# A static PIE, so that the kernel loads it at a random address.  Debian's
# musl-gcc cannot link one with -static-pie: its specs file always names
# Scrt1.o and /lib/ld-musl-x86_64.so.1, and the result does not start in
# an empty image.  So the start files are given here: musl's rcrt1.o
# (which applies the binary's own relocations before main), with
# -nostartfiles, -pie and --no-dynamic-linker.  STATIC_CRTDIR is where
# musl-gcc finds its start files (the Scrt1.o of its link line).  With a
# musl toolchain whose gcc knows -static-pie, set
# STATIC_LDFLAGS='-static-pie -s' STATIC_LDLIBS=.
#
# Hardening: PIE and the stack protector (musl sets the canary from
# AT_RANDOM).  Not the rest:
#   _FORTIFY_SOURCE  musl's headers have no fortified variants: a no-op,
#                    so it is not passed (nobody should think it is on);
#   RELRO, BIND_NOW  there is no dynamic linker: rcrt1.o applies every
#                    relocation at start-up, nothing is bound lazily, and
#                    neither it nor musl's static start-up mprotect()s the
#                    GNU_RELRO segment (seen in /proc/PID/maps with musl
#                    1.2.3), so -z relro -z now would only pretend.
STATIC_BIN   = sockward-static
STATIC_BUILD = build/static
STATIC_CC   ?= musl-gcc
STATIC_CRTDIR ?= $(patsubst %/Scrt1.o,%,$(firstword $(shell \
	$(STATIC_CC) -\#\#\# -x c /dev/null 2>&1 | grep -o '/[^ "]*/Scrt1.o')))
STATIC_LDFLAGS ?= -static -s -nostartfiles $(STATIC_CRTDIR)/rcrt1.o \
	$(STATIC_CRTDIR)/crti.o $(shell $(STATIC_CC) -print-file-name=crtbeginS.o) \
	-Wl,-pie -Wl,--no-dynamic-linker -Wl,-z,text -Wl,--gc-sections
STATIC_LDLIBS ?= $(shell $(STATIC_CC) -print-file-name=crtendS.o) \
	$(STATIC_CRTDIR)/crtn.o
STATIC_HARDEN_CFLAGS = -fstack-protector-strong -fPIE

# TLS in the static binary: wolfSSL compiled from Debian's source package
# with $(STATIC_CC), as a static PIE-compatible library with only the
# features tls.c uses (scripts/wolfssl-musl.sh says which and why; about a
# minute, once: the result is cached in $(WOLFSSL_MUSL) and rebuilt only
# when the script's flags or features change).  Debian's own libwolfssl.a
# is compiled against glibc's fortified headers and does not link with
# musl.  The daemon's objects see only its headers (never /usr/include,
# which would mix glibc's headers into a musl build).
WOLFSSL_MUSL ?= build/wolfssl-musl
STATIC_DAEMON_CPPFLAGS = -I$(WOLFSSL_MUSL)/include
STATIC_DAEMON_LDLIBS = $(WOLFSSL_MUSL)/lib/libwolfssl.a

# The script touches the stamp when nothing needed doing, so an edit to it
# that changes no flag costs one quick run.
$(WOLFSSL_MUSL)/stamp: scripts/wolfssl-musl.sh
	@CC='$(STATIC_CC)' ./scripts/wolfssl-musl.sh $(WOLFSSL_MUSL)

.PHONY: static clean-static image lint-dockerfiles wolfssl-musl
wolfssl-musl: $(WOLFSSL_MUSL)/stamp

static:
	@command -v $(STATIC_CC) >/dev/null 2>&1 || { echo "make static:" \
	    "$(STATIC_CC) not found; apt-get install musl-tools" >&2; exit 1; }
	@case '$(STATIC_LDFLAGS)' in *rcrt1.o*) \
	    test -f '$(STATIC_CRTDIR)/rcrt1.o' || { echo "make static: no" \
	    "rcrt1.o in '$(STATIC_CRTDIR)' (STATIC_CRTDIR)" >&2; exit 1; };; esac
	@$(MAKE) --no-print-directory -s $(WOLFSSL_MUSL)/stamp
	@$(MAKE) --no-print-directory BUILD=$(STATIC_BUILD) CC=$(STATIC_CC) \
	    CFLAGS='-O2' LDFLAGS='$(STATIC_LDFLAGS)' \
	    LDLIBS='$(STATIC_LDLIBS)' SANITIZE= \
	    HARDEN_CPPFLAGS='-U_FORTIFY_SOURCE' \
	    HARDEN_CFLAGS='$(STATIC_HARDEN_CFLAGS)' HARDEN_LDFLAGS= \
	    DAEMON_CPPFLAGS='$(STATIC_DAEMON_CPPFLAGS)' \
	    DAEMON_LDLIBS='$(STATIC_DAEMON_LDLIBS)' \
	    $(STATIC_BUILD)/sockward
	@cp $(STATIC_BUILD)/sockward $(STATIC_BIN).tmp && \
	    mv -f $(STATIC_BIN).tmp $(STATIC_BIN)
	@echo "$(STATIC_BIN): $$(wc -c < $(STATIC_BIN)) bytes"

# The FROM-scratch image sockward:local (SOCKWARD_IMAGE overrides).
image:
	./scripts/image.sh

# Checks both Dockerfiles (no hadolint needed).
lint-dockerfiles:
	./tests/lint-dockerfiles.sh

clean-static:
	rm -f $(STATIC_BIN) $(STATIC_BIN).tmp

clean: clean-static

# ---- Static analysis ----
# `make analyze`: GCC's -fanalyzer (paths through each function: NULL
# dereferences, leaks, double close, use after free) over every source
# file, warnings as errors.  Objects are thrown away.
ANALYZE_BUILD = build/analyze
.PHONY: analyze
analyze:
	@mkdir -p $(ANALYZE_BUILD)
	@set -e; for f in $(CORE_SRC) $(DAEMON_SRC); do \
	    case $$f in src/daemon/*) inc=-Isrc/daemon;; *) inc=;; esac; \
	    $(CC) -fanalyzer -O1 $(WARNFLAGS) $(HARDEN_CFLAGS) \
	        $(CPPFLAGS) $(HARDEN_CPPFLAGS) $$inc \
	        -c $$f -o $(ANALYZE_BUILD)/$$(basename $$f .c).o; \
	done
	@echo "analyze: $(words $(CORE_SRC) $(DAEMON_SRC)) files, no warnings"

# Fuzzing targets (libFuzzer, clang): make fuzz, make fuzz-replay.
-include tests/fuzz/fuzz.mk

# Benchmarks: make bench, make bench-quick.
-include bench/bench.mk
