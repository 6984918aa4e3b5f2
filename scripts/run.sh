#!/usr/bin/env bash
# Build sockward (installing the compiler and libwolfssl-dev if missing)
# and run it.
# Arguments are passed to sockward; with none it listens on
# tcp://127.0.0.1:2375 and forwards the Traefik profile to /var/run/docker.sock.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
deps_install gcc make libc6-dev libwolfssl-dev
make -s
exec ./sockward "$@"
