#!/usr/bin/env bash
# Run the whole test suite: unit tests (cmocka) and integration tests
# (pytest, docker CLI, python SDK) against a real Docker Engine.
# Installs what is missing; starts a Docker daemon if none answers.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
# podman: test_podman.py starts its own private `podman system service`.
deps_install gcc make libc6-dev libcmocka-dev libwolfssl-dev python3-pytest python3-docker \
	socat curl ca-certificates musl-tools clang libclang-rt-14-dev \
	docker-compose util-linux valgrind strace binutils prometheus openssl \
	iproute2 podman mandoc groff

if ! command -v docker >/dev/null 2>&1 || ! docker -H unix:///var/run/docker.sock info >/dev/null 2>&1; then
	deps_install docker.io
	if ! docker -H unix:///var/run/docker.sock info >/dev/null 2>&1; then
		echo "starting dockerd" >&2
		sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
		$sudo sh -c 'nohup dockerd >/var/log/sockward-test-dockerd.log 2>&1 &'
		for _ in $(seq 1 60); do
			docker -H unix:///var/run/docker.sock info >/dev/null 2>&1 && break
			sleep 1
		done
		docker -H unix:///var/run/docker.sock info >/dev/null
	fi
fi
unset DOCKER_HOST

# test_body_diff.py builds tests/diff/moby (moby's decoders) with Go and
# fails without it: say so before the long run, not after.
if ! command -v go >/dev/null 2>&1 && [ ! -x /usr/local/go/bin/go ]; then
	echo "no Go toolchain (go or /usr/local/go/bin/go): test_body_diff.py will fail" >&2
fi

# The end-to-end stage needs Traefik and whoami built from the Go module
# proxy (about 25 minutes on a new machine, cached after).  Build them now,
# niced, behind the other stages, which leave a core mostly idle (one
# fuzzer at a time, integration tests waiting on dockerd); the e2e stage
# waits for it, and builds whatever this did not.
E2E_PREBUILD_LOG=$(mktemp /tmp/sockward-e2e-prebuild.XXXXXX)
setsid nice -n 19 tests/e2e/images.sh prebuild >"$E2E_PREBUILD_LOG" 2>&1 &
E2E_PREBUILD_PID=$!
# A stage that fails ends the run: take the build (its process group) too.
trap 'kill -- -"$E2E_PREBUILD_PID" 2>/dev/null || true' EXIT

make -s
# The docs' own checks (tests/integration/test_docs.py, in the integration
# stages below) need mandoc and groff; the generated PROFILES.md is checked
# first, being the cheapest.
echo "== docs: docs/PROFILES.md is what the binary generates"
make -s docs-check
echo "== static build, hardening of both binaries, Dockerfile lint"
make -s static
./tests/check-hardening.sh
./tests/lint-dockerfiles.sh
echo "== static analysis (gcc -fanalyzer, warnings as errors)"
make -s analyze
echo "== unit tests"
make -s unit
echo "== unit tests, ASan+UBSan build"
make -s SANITIZE=1 unit
echo "== fuzz targets: replay corpora and regressions, then fuzz each for a minute"
make -s fuzz-ci FUZZ_CI_TIME="${FUZZ_CI_TIME:-60}"
echo "== integration tests, ASan+UBSan build (a sanitizer report fails the test)"
make -s SANITIZE=1 integration
echo "== integration tests"
make -s integration
echo "== integration tests with sockward under valgrind memcheck"
tests/valgrind/run.sh
echo "== end to end: the Traefik template with real Traefik v3 and v2.11, compose and swarm"
echo "   (Traefik and whoami were built in the background since the start; waiting for that)"
wait "$E2E_PREBUILD_PID" || true
trap - EXIT
sed 's/^/prebuild: /' "$E2E_PREBUILD_LOG" | tail -n 20
rm -f "$E2E_PREBUILD_LOG"
tests/e2e/run.sh
echo "== benchmark harness, quick mode (figures only, no pass/fail on timings)"
make -s bench-quick
