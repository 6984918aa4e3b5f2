# bench/bench.mk - included by the top Makefile.
#
#   make bench        full run (~16 min): prints the table and writes
#                     docs/BENCHMARKS.md and docs/benchmarks.svg
#   make bench-quick  the same code paths with tiny durations (~1.5 min,
#                     CI); the report goes to a temporary directory
#   make bench-tools  just build build/bench/{fakedockerd,loadgen,nullrelay,
#                     judgebench,jrwbench}
#   make jrwbench     the response rewriter alone (bench/jrwbench.c): MB/s
#                     on a container list, an inspect and an events stream
#
# Both install missing Debian packages first (bench/deps.sh: haproxy,
# stunnel4, gnuplot-nox, musl-tools, libwolfssl-dev, openssl) and build
# ./sockward and, if musl-gcc is there, ./sockward-static.  The TLS cell
# alone: python3 bench/bench.py --only tls.  Timings never fail the command; a component that
# does not build or run does.

BENCH_BUILD  = build/bench
BENCH_CFLAGS = -O2 -g -std=c11 -Wall -Wextra -Wshadow -Werror
# The top Makefile's hardening, so that the null relay pays what
# sockward pays (stack protector, fortify, PIE, RELRO + BIND_NOW).
BENCH_HARDEN = $(HARDEN_CPPFLAGS) $(HARDEN_CFLAGS) $(HARDEN_LDFLAGS)
BENCH_TOOLS  = $(BENCH_BUILD)/fakedockerd $(BENCH_BUILD)/loadgen \
	       $(BENCH_BUILD)/nullrelay $(BENCH_BUILD)/judgebench \
	       $(BENCH_BUILD)/jrwbench

.PHONY: bench bench-quick bench-tools bench-deps bench-static jrwbench

bench-tools: $(BENCH_TOOLS)

$(BENCH_BUILD)/fakedockerd: bench/fakedockerd.c
	@mkdir -p $(BENCH_BUILD)
	$(CC) $(BENCH_CFLAGS) $(BENCH_HARDEN) -o $@ $<

# tls:// (the TLS cells) with Debian's libwolfssl-dev, as ./sockward.
$(BENCH_BUILD)/loadgen: bench/loadgen.c
	@mkdir -p $(BENCH_BUILD)
	$(CC) $(BENCH_CFLAGS) $(BENCH_HARDEN) -o $@ $< -lwolfssl

$(BENCH_BUILD)/nullrelay: bench/nullrelay.c
	@mkdir -p $(BENCH_BUILD)
	$(CC) $(BENCH_CFLAGS) $(BENCH_HARDEN) -o $@ $<

# The body policy alone, linked with the same core objects as ./sockward
# (the top Makefile's flags), so its figure is the daemon's judging cost.
$(BENCH_BUILD)/judgebench: bench/judgebench.c $(CORE_OBJ) $(BUILD)/flags
	@mkdir -p $(BENCH_BUILD)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< \
	    $(CORE_OBJ) $(LDLIBS)

# The response rewriter alone, same core objects and flags as ./sockward;
# pinned to one CPU when taskset is there.
$(BENCH_BUILD)/jrwbench: bench/jrwbench.c $(CORE_OBJ) $(BUILD)/flags
	@mkdir -p $(BENCH_BUILD)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< \
	    $(CORE_OBJ) $(LDLIBS)

jrwbench: $(BENCH_BUILD)/jrwbench
	@if command -v taskset >/dev/null 2>&1; then \
	    taskset -c 0 $(BENCH_BUILD)/jrwbench; \
	else $(BENCH_BUILD)/jrwbench; fi

bench-deps:
	@./bench/deps.sh

# The static binary is only sized; without it the report sizes ./sockward
# stripped instead.
bench-static: bench-deps
	@$(MAKE) --no-print-directory static || \
	    echo "bench: make static failed; sizing ./sockward stripped" >&2

bench: bench-deps bench-static
	@$(MAKE) --no-print-directory sockward bench-tools
	python3 bench/bench.py --command "make bench"

bench-quick: bench-deps bench-static
	@$(MAKE) --no-print-directory sockward bench-tools
	python3 bench/bench.py --quick --command "make bench-quick"
