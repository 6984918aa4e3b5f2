#!/usr/bin/env bash
# Build the images of sockward's end-to-end test, without any registry:
# every image is FROM scratch around one static binary.
#
#   tests/e2e/images.sh sockward          -> sockward:local (scripts/image.sh)
#   tests/e2e/images.sh traefik VERSION   -> sockward-e2e/traefik:VERSION
#   tests/e2e/images.sh whoami            -> sockward-e2e/whoami:e2e
#   tests/e2e/images.sh all               -> all of them (TRAEFIK_VERSIONS)
#   tests/e2e/images.sh prebuild          -> all but sockward's (test.sh runs it
#                                            in the background, niced)
#
# Builds are cached: an image whose label org.sockward.e2e.build already
# names the same recipe is not rebuilt, and the Traefik binaries are kept in
# $E2E_CACHE (default ~/.cache/sockward-e2e), so only the first run compiles
# Traefik (several minutes per version on 2 cores). The Go module cache and
# build cache are Go's defaults.
#
# Traefik comes from the Go module proxy. Both v2.11 and v3 have replace
# directives in their go.mod, so `go install MODULE@VERSION` refuses them:
# the module is downloaded with `go mod download`, copied out of the
# read-only module cache and built there. traefik/whoami has no release the
# proxy serves, so whoami is a small stand-in in tests/e2e/whoami.
#
# Versions (TRAEFIK_VERSIONS): the newest v3 and v2.11 releases whose whole
# dependency graph the proxy here serves. v3.6.12: v3.7.11 to v3.7.13 need
# github.com/containous/go-http-auth@v0.4.1-0.20260804094822-b975dcaa8c48,
# which it refuses (403), and v3.7.13 also 14 SDKs of lego DNS providers.
# v2.11.54: v2.11.55 to v2.11.60 are refused. Both negotiate the API version
# with HEAD /_ping. The v3.7 tree also needs its dynamic/ext stub, below.
#
# This file is also sourced by run.sh for its functions.
set -euo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$E2E_DIR/../.." && pwd)
E2E_CACHE=${E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sockward-e2e}
E2E_LABEL=org.sockward.e2e.build
: "${TRAEFIK_VERSIONS:=v3.6.12 v2.11.54}"
export DOCKER_BUILDKIT=0

e2e_go() {
	if command -v go >/dev/null 2>&1; then
		command go "$@"
	elif [ -x /usr/local/go/bin/go ]; then
		/usr/local/go/bin/go "$@"
	else
		echo "e2e: no Go toolchain (go or /usr/local/go/bin/go) to build Traefik and whoami" >&2
		return 1
	fi
}

e2e_log() { printf '%s e2e: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

e2e_image_label() {
	docker image inspect -f "{{index .Config.Labels \"$E2E_LABEL\"}}" "$1" 2>/dev/null || true
}

# e2e_wrap TAG RECIPE BINARY NAME [ARG...]: a FROM scratch image holding
# BINARY as /NAME, an empty /tmp (mode 1777), entrypoint /NAME ARG...
e2e_wrap() {
	local tag=$1 recipe=$2 bin=$3 name=$4 ctx entry a
	shift 4
	ctx=$(mktemp -d)
	mkdir -p "$ctx/rootfs/tmp"
	chmod 1777 "$ctx/rootfs/tmp"
	cp "$bin" "$ctx/rootfs/$name" || { rm -rf "$ctx"; return 1; }
	chmod 0755 "$ctx/rootfs/$name"
	entry="\"/$name\""
	for a in "$@"; do entry="$entry, \"$a\""; done
	cat >"$ctx/Dockerfile" <<-EOF
		FROM scratch
		COPY rootfs/ /
		LABEL $E2E_LABEL="$recipe"
		ENTRYPOINT [$entry]
	EOF
	if ! docker build -q -t "$tag" "$ctx" >"$ctx.log" 2>&1; then
		cat "$ctx.log" >&2
		rm -rf "$ctx" "$ctx.log"
		return 1
	fi
	rm -rf "$ctx" "$ctx.log"
}

# The sockward image: the project's own, built by scripts/image.sh (tag
# sockward:local, or E2E_SOCKWARD_IMAGE). It is cached by docker build.
e2e_sockward_image() {
	local img=${E2E_SOCKWARD_IMAGE:-sockward:local}
	e2e_log "building $img with scripts/image.sh"
	SOCKWARD_IMAGE=$img "$ROOT/scripts/image.sh" >&2 || return 1
	echo "$img"
}

# Traefik VERSION (v3.x.y or v2.11.n) from the Go module proxy.
e2e_traefik_image() {
	local v=$1 major mod tag recipe out json dir err tmp t0
	major=${v%%.*}
	mod=github.com/traefik/traefik/$major
	tag=sockward-e2e/traefik:$v
	recipe="traefik $v r1"
	if [ "$(e2e_image_label "$tag")" = "$recipe" ]; then
		echo "$tag"
		return
	fi
	out=$E2E_CACHE/traefik-$v
	if [ ! -x "$out" ]; then
		t0=$SECONDS
		e2e_log "downloading $mod@$v"
		json=$(cd /tmp && e2e_go mod download -json "$mod@$v" 2>&1) || true
		err=$(printf '%s\n' "$json" | sed -n 's/^\t"Error": "\(.*\)",\{0,1\}$/\1/p')
		dir=$(printf '%s\n' "$json" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
		if [ -n "$err" ] || [ -z "$dir" ]; then
			echo "e2e: BLOCKED: cannot download $mod@$v: ${err:-$json}" >&2
			return 1
		fi
		tmp=$(mktemp -d)
		cp -a "$dir" "$tmp/src"
		chmod -R u+w "$tmp/src"
		# v3.7 replaces github.com/traefik/traefik/dynamic/ext with the
		# directory ./pkg/config/dynamic/ext, a module of its own and so left
		# out of the module zip (and the proxy does not serve it). The rest
		# of the tree only embeds its two empty structs ext.HTTP and
		# ext.Router (pkg/config/dynamic/http_config.go): declare them.
		if grep -q 'dynamic/ext => ./pkg/config/dynamic/ext' "$tmp/src/go.mod" &&
			[ ! -f "$tmp/src/pkg/config/dynamic/ext/go.mod" ]; then
			mkdir -p "$tmp/src/pkg/config/dynamic/ext"
			printf 'module github.com/traefik/traefik/dynamic/ext\n\ngo 1.24.0\n' \
				>"$tmp/src/pkg/config/dynamic/ext/go.mod"
			cat >"$tmp/src/pkg/config/dynamic/ext/ext.go" <<-'EOF'
				// Package ext: extension points of Traefik's dynamic
				// configuration, empty in this build (sockward's e2e test).
				package ext

				// HTTP is embedded in dynamic.HTTP.
				type HTTP struct{}

				// Router is embedded in dynamic.Router.
				type Router struct{}
			EOF
		fi
		mkdir -p "$E2E_CACHE"
		e2e_log "building traefik $v (first time only; several minutes)"
		if ! (cd "$tmp/src" && CGO_ENABLED=0 GOFLAGS="-trimpath -buildvcs=false" \
			e2e_go build -ldflags "-s -w -X $mod/pkg/version.Version=$v" \
			-o "$out.tmp" ./cmd/traefik) >&2; then
			echo "e2e: BLOCKED: building traefik $v failed (see the go output above)" >&2
			rm -rf "$tmp"
			return 1
		fi
		mv -f "$out.tmp" "$out"
		rm -rf "$tmp"
		e2e_log "built traefik $v in $((SECONDS - t0)) s"
	fi
	e2e_wrap "$tag" "$recipe" "$out" traefik || return 1
	echo "$tag"
}

# whoami stand-in from tests/e2e/whoami (standard library only).
e2e_whoami_image() {
	local tag=sockward-e2e/whoami:e2e sum tmp
	sum=$(cat "$E2E_DIR"/whoami/go.mod "$E2E_DIR"/whoami/*.go | sha256sum | cut -c1-16)
	if [ "$(e2e_image_label "$tag")" = "whoami $sum" ]; then
		echo "$tag"
		return
	fi
	tmp=$(mktemp -d)
	e2e_log "building whoami"
	if ! (cd "$E2E_DIR/whoami" && CGO_ENABLED=0 GOFLAGS="-trimpath -buildvcs=false" \
		e2e_go build -ldflags '-s -w' -o "$tmp/whoami" .) >&2 ||
		! e2e_wrap "$tag" "whoami $sum" "$tmp/whoami" whoami; then
		rm -rf "$tmp"
		return 1
	fi
	rm -rf "$tmp"
	echo "$tag"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case ${1:-all} in
	sockward) e2e_sockward_image ;;
	traefik) e2e_traefik_image "${2:?traefik VERSION}" ;;
	whoami) e2e_whoami_image ;;
	prebuild)
		# What scripts/test.sh builds in the background: everything but
		# sockward's own image (which needs the tree's static build).
		e2e_whoami_image
		for v in $TRAEFIK_VERSIONS; do e2e_traefik_image "$v"; done
		;;
	all)
		e2e_sockward_image
		e2e_whoami_image
		for v in $TRAEFIK_VERSIONS; do e2e_traefik_image "$v"; done
		;;
	*)
		echo "usage: $0 [all|prebuild|sockward|traefik VERSION|whoami]" >&2
		exit 2
		;;
	esac
fi
