# sockward - plain Makefile.  `make` builds ./sockward; `make test` runs the
# unit and integration tests; `make SANITIZE=1 ...` builds with ASan+UBSan;
# `make analyze` runs GCC's static analyzer; `make fuzz` the fuzzers.

VERSION   = 0.1.0
PREFIX   ?= /usr/local
CC       ?= cc
CFLAGS   ?= -O2 -g
WARNFLAGS = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral \
            -Wno-format-truncation -Werror
CPPFLAGS += -D_GNU_SOURCE -DSOCKWARD_VERSION='"$(VERSION)"' -Isrc/core
LDFLAGS  ?=
PYTEST   ?= /usr/bin/python3 -m pytest

ifeq ($(SANITIZE),1)
BUILD    ?= build/san
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=address,undefined
else
BUILD    ?= build/rel
endif

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

$(BUILD)/sockward: $(DAEMON_OBJ) $(CORE_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

$(BUILD)/%.o: %.c $(wildcard src/core/*.h src/daemon/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Isrc/daemon $(WARNFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARNFLAGS) -Wno-missing-prototypes $(CFLAGS) $(LDFLAGS) -o $@ $< $(CORE_OBJ) -lcmocka

# Unit tests: the pure modules linked alone, no sockets.
unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

# Integration tests: the built binary against the real dockerd.
integration: $(BUILD)/sockward
	SOCKWARD_BIN=$(CURDIR)/$(BUILD)/sockward $(PYTEST) -v tests/integration

test: unit integration

# Rewrite the generated route table in docs/PROFILES.md from
# src/core/engine_api.c (test_engine_api fails while it is stale).
.PHONY: docs
docs: $(BUILD)/tests/test_engine_api
	$(BUILD)/tests/test_engine_api --update-docs docs/PROFILES.md

install: sockward
	install -D -m 0755 sockward $(DESTDIR)$(PREFIX)/bin/sockward
	install -D -m 0644 man/sockward.8 $(DESTDIR)$(PREFIX)/share/man/man8/sockward.8
	install -D -m 0644 man/sockward.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/sockward.conf.5

clean:
	rm -rf build sockward

# ---- Static binary and container image ----
# `make static`: ./sockward-static, fully static against musl (Debian's
# musl-tools), stripped.  musl rather than glibc -static: a fraction of the
# size and no NSS (sockward resolves no names and looks up no users).  Plain
# -static: -static-pie with Debian's musl-gcc crashed at start-up.  The
# image (Dockerfile, Dockerfile.multistage) copies exactly this file.
STATIC_BIN   = sockward-static
STATIC_BUILD = build/static
STATIC_CC   ?= musl-gcc

.PHONY: static clean-static image lint-dockerfiles
static:
	@command -v $(STATIC_CC) >/dev/null 2>&1 || { echo "make static:" \
	    "$(STATIC_CC) not found; apt-get install musl-tools" >&2; exit 1; }
	@$(MAKE) --no-print-directory BUILD=$(STATIC_BUILD) CC=$(STATIC_CC) \
	    CFLAGS='-O2' LDFLAGS='-static -s' SANITIZE= $(STATIC_BUILD)/sockward
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
	    $(CC) -fanalyzer -O1 $(WARNFLAGS) $(CPPFLAGS) -Isrc/daemon \
	        -c $$f -o $(ANALYZE_BUILD)/$$(basename $$f .c).o; \
	done
	@echo "analyze: $(words $(CORE_SRC) $(DAEMON_SRC)) files, no warnings"

# Fuzzing targets (libFuzzer, clang): make fuzz, make fuzz-replay.
-include tests/fuzz/fuzz.mk

# Benchmarks: make bench, make bench-quick.
-include bench/bench.mk
