#!/usr/bin/env bash
# Install what the benchmarks need and is missing: haproxy and stunnel4
# (contenders), gnuplot-nox (the chart), musl-tools (make static, for the
# binary size), taskset (util-linux), a C compiler, libwolfssl-dev
# (sockward and the load generator's tls:// link it) and openssl (the TLS
# cell's certificates).  Uses scripts/deps.sh's helper.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
deps_install gcc make libc6-dev libwolfssl-dev util-linux python3 haproxy gnuplot-nox musl-tools \
	stunnel4 openssl
