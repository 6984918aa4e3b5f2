# tests/fuzz/fuzz.mk - libFuzzer targets for the pure modules (src/core).
# Included by the top Makefile.  Needs clang with libFuzzer (clang-14 and
# libclang-rt-14-dev on Debian/Ubuntu).  See tests/fuzz/README.md.
#
#   make fuzz          build all, fuzz each target $(FUZZ_TIME) s (default
#                      60); new inputs go to $(FUZZ_SCRATCH)/<target>
#   make fuzz-replay   replay tests/fuzz/corpus + tests/fuzz/regress
#                      through every target; no fuzzing (seconds)
#   make fuzz-ci       replay, then fuzz each target $(FUZZ_CI_TIME) s
#                      (default $(FUZZ_TIME)): ~9.5 min with 9 targets
#   make fuzz-build    just build $(FUZZ_BUILD)/fuzz_<target>
#   make fuzz-<target> / fuzz-replay-<target>   one target only
#
# Every run prints one line "fuzz-<target>: OK (...execs=... cov=...)" or
# "fuzz-<target>: FAIL ..." and make stops on a failure.  Targets are
# independent, so `make -j7 fuzz` fuzzes them in parallel.

FUZZ_CC      ?= clang
FUZZ_TIME    ?= 60
FUZZ_CI_TIME ?= $(FUZZ_TIME)
FUZZ_BUILD   ?= build/fuzz
FUZZ_SCRATCH ?= $(FUZZ_BUILD)/scratch
FUZZ_ARGS    ?=
# Open bugs to let through ("all", or ids from tests/fuzz/README.md).
FUZZ_KNOWN   ?=
FUZZ_CFLAGS  ?= -O1 -g -fno-omit-frame-pointer
FUZZ_SAN     ?= -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_DIR      = tests/fuzz
FUZZ_CPPFLAGS = -std=c11 -D_GNU_SOURCE -Isrc/core -U_FORTIFY_SOURCE
FUZZ_WARN     = -Wall -Wextra
# The top Makefile's hardening minus _FORTIFY_SOURCE, as in its SANITIZE=1
# build: the sanitizers intercept few of glibc's __*_chk functions.
FUZZ_HARDEN   = $(HARDEN_CFLAGS)
FUZZ_LDHARDEN = $(HARDEN_LDFLAGS)

FUZZ_TARGETS  = http_req canon rule config chunk http_resp query judge \
		exchange body jrewrite
FUZZ_CORE_SRC = $(sort $(wildcard src/core/*.c))
FUZZ_CORE_OBJ = $(FUZZ_CORE_SRC:src/core/%.c=$(FUZZ_BUILD)/core/%.o)
FUZZ_BINS     = $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)

# Largest input libFuzzer generates, per target (above the parsers'
# own limits where they have one, so those limits get exercised).
FUZZ_MAX_LEN_http_req  = 20000
FUZZ_MAX_LEN_http_resp = 20000
FUZZ_MAX_LEN_canon     = 9000
FUZZ_MAX_LEN_rule      = 2048
FUZZ_MAX_LEN_config    = 8192
FUZZ_MAX_LEN_chunk     = 4096
FUZZ_MAX_LEN_query     = 8192
FUZZ_MAX_LEN_judge     = 20000
FUZZ_MAX_LEN_exchange  = 8192
FUZZ_MAX_LEN_body      = 16384
FUZZ_MAX_LEN_jrewrite  = 8192
FUZZ_DICT_http_req     = $(FUZZ_DIR)/dict/http.dict
FUZZ_DICT_http_resp    = $(FUZZ_DIR)/dict/http.dict
FUZZ_DICT_canon        = $(FUZZ_DIR)/dict/http.dict
FUZZ_DICT_chunk        = $(FUZZ_DIR)/dict/chunk.dict
FUZZ_DICT_rule         = $(FUZZ_DIR)/dict/policy.dict
FUZZ_DICT_config       = $(FUZZ_DIR)/dict/policy.dict
FUZZ_DICT_query        = $(FUZZ_DIR)/dict/policy.dict
FUZZ_DICT_judge        = $(FUZZ_DIR)/dict/http.dict
FUZZ_DICT_exchange     = $(FUZZ_DIR)/dict/http.dict
FUZZ_DICT_body         = $(FUZZ_DIR)/dict/body.dict
FUZZ_DICT_jrewrite     = $(FUZZ_DIR)/dict/jrewrite.dict

FUZZ_ENV = SOCKWARD_FUZZ_KNOWN='$(FUZZ_KNOWN)' FUZZ_DIR=$(FUZZ_DIR) FUZZ_BUILD=$(FUZZ_BUILD) \
	   FUZZ_SCRATCH=$(FUZZ_SCRATCH) FUZZ_ARGS='$(FUZZ_ARGS)' \
	   FUZZ_MAX_LEN=$(FUZZ_MAX_LEN_$*) FUZZ_DICT=$(FUZZ_DICT_$*)

.PHONY: fuzz fuzz-build fuzz-replay fuzz-ci fuzz-clean \
	$(FUZZ_TARGETS:%=fuzz-%) $(FUZZ_TARGETS:%=fuzz-replay-%) \
	$(FUZZ_TARGETS:%=fuzz-ci-%)

fuzz-build: $(FUZZ_BINS)

# Keep the objects: they are intermediate files of the pattern rules.
.SECONDARY: $(FUZZ_CORE_OBJ)

# The core objects with coverage instrumentation and ASan+UBSan, in their
# own directory (never mixed with the gcc objects of $(BUILD)).
# Header dependencies come from the compiler (-MMD -MP), and a change of
# compiler or flags rebuilds everything ($(FUZZ_BUILD)/flags), as in the
# top Makefile: objects from before the hardening were not built -fPIE.
FUZZ_FLAGS = $(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_WARN) $(FUZZ_HARDEN) \
	     $(FUZZ_CFLAGS) $(FUZZ_SAN) $(FUZZ_LDHARDEN)
ifneq ($(file <$(FUZZ_BUILD)/flags),$(strip $(FUZZ_FLAGS)))
.PHONY: $(FUZZ_BUILD)/flags
endif
$(FUZZ_BUILD)/flags:
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(subst ','\'',$(strip $(FUZZ_FLAGS)))' > $@

$(FUZZ_BUILD)/core/%.o: src/core/%.c $(FUZZ_BUILD)/flags
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_WARN) $(FUZZ_HARDEN) $(FUZZ_CFLAGS) \
	    $(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_CORE_OBJ) $(FUZZ_BUILD)/flags
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_WARN) $(FUZZ_HARDEN) $(FUZZ_CFLAGS) \
	    $(FUZZ_SAN) -fsanitize=fuzzer -MMD -MP -MF $@.d -MT $@ \
	    $(FUZZ_LDHARDEN) -o $@ $< $(FUZZ_CORE_OBJ)

-include $(FUZZ_CORE_OBJ:.o=.d) $(FUZZ_BINS:=.d)

# Static pattern rules: plain pattern rules are never tried for .PHONY
# targets.
$(FUZZ_TARGETS:%=fuzz-replay-%): fuzz-replay-%: $(FUZZ_BUILD)/fuzz_%
	@$(FUZZ_ENV) sh $(FUZZ_DIR)/run.sh replay $* $<

$(FUZZ_TARGETS:%=fuzz-%): fuzz-%: $(FUZZ_BUILD)/fuzz_%
	@$(FUZZ_ENV) sh $(FUZZ_DIR)/run.sh fuzz $* $< $(FUZZ_TIME)

# CI: every replay first (a regression fails fast), then the fuzzing.
$(FUZZ_TARGETS:%=fuzz-ci-%): fuzz-ci-%: $(FUZZ_BUILD)/fuzz_% fuzz-replay
	@$(FUZZ_ENV) sh $(FUZZ_DIR)/run.sh fuzz $* $< $(FUZZ_CI_TIME)

fuzz: $(FUZZ_TARGETS:%=fuzz-%)

fuzz-replay: $(FUZZ_TARGETS:%=fuzz-replay-%)

fuzz-ci: $(FUZZ_TARGETS:%=fuzz-ci-%)

fuzz-clean:
	rm -rf $(FUZZ_BUILD)
