#!/usr/bin/env bash
# Build the sockward container image ${SOCKWARD_IMAGE:-sockward:local} from
# the registry-free Dockerfile (FROM scratch): make static, then docker build
# with a context that holds only the Dockerfile and sockward-static.  Uses
# the legacy builder, which needs no registry and no buildx.  Installs
# musl-tools and make if missing (and make static, the first time, builds
# wolfSSL for TLS with scripts/wolfssl-musl.sh, which installs what it
# needs).  Idempotent: re-running with nothing changed gives the same
# image, and a superseded image is removed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
deps_install make musl-tools

image=${SOCKWARD_IMAGE:-sockward:local}
make -s static

version=$(./sockward-static --version | awk '{print $2}')
revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)

ctx=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$ctx" "$log"' EXIT
cp Dockerfile "$ctx/Dockerfile"
cp -p sockward-static "$ctx/sockward-static"

old=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
if ! DOCKER_BUILDKIT=0 docker build -t "$image" -f "$ctx/Dockerfile" \
	--build-arg VERSION="$version" --build-arg REVISION="$revision" \
	"$ctx" >"$log" 2>&1; then
	cat "$log" >&2
	echo "image.sh: docker build failed" >&2
	exit 1
fi
new=$(docker image inspect -f '{{.Id}}' "$image")
# The previous build of this tag, now untagged: remove it unless in use.
if [ -n "$old" ] && [ "$old" != "$new" ]; then
	docker image rm "$old" >/dev/null 2>&1 || true
fi

id=${new#sha256:}
echo "$image: $(docker image inspect -f '{{.Size}}' "$image") bytes (image ${id:0:12})"
