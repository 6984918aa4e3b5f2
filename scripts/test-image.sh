#!/bin/sh
# Build the integration tests' image sockward-testbox:test (FROM scratch,
# one static binary from tests/fixtures/testbox.c) without a registry.
# The pytest session does the same by itself; this is for manual runs.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${CC:-gcc} -static -O2 -o "$tmp/testbox" "$here/tests/fixtures/testbox.c"
cp "$here/tests/fixtures/Dockerfile" "$tmp/Dockerfile"
DOCKER_BUILDKIT=0 docker build -q -t "${1:-sockward-testbox:test}" "$tmp"
