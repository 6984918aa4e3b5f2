#!/usr/bin/env bash
# End-to-end test: real Traefik (v3 and v2.11, built from source) discovers
# and routes containers through sockward, which is its only way to the Docker
# API; then the same in swarm mode on a private Docker daemon.
#
#   tests/e2e/run.sh                  # everything
#   E2E_SWARM=0 tests/e2e/run.sh      # skip the swarm part
#   E2E_FILTER=0 tests/e2e/run.sh     # skip the filter part
#   E2E_COMPOSE=0 tests/e2e/run.sh    # skip the compose part
#   E2E_TLS=0 tests/e2e/run.sh        # skip the TLS part
#   TRAEFIK_VERSIONS=v3.6.12 tests/e2e/run.sh
#
# First the example files are parsed (docker-compose config, docker stack
# config). Then the compose part, for each Traefik version, runs
# examples/traefik/compose.yml as shipped (images and port from its
# variables, published on 127.0.0.1 only):
#   - whoami.localhost answers through Traefik;
#   - a container started afterwards is routed within 10 s, and unrouted
#     within 10 s of being stopped (the /events stream passes through);
#   - sockward's log has /events, no verdict=deny (Traefik needed nothing the
#     traefik profile refuses), no error line and no seccomp refusal;
#   - sockward runs as a non-root uid with the socket's group as its only
#     group, and `sockward health` passes;
#   - from Traefik's network, POST /containers/create gets sockward's 403;
#     from the apps network, sockward cannot be reached at all.
# TLS part (issue 14), for each Traefik version: the certificates made by
# examples/traefik-tls/certs.sh as shipped (plus a client certificate of
# the same CA with CN=intruder), then examples/traefik-tls/compose.yml as
# shipped (sockward on tls://0.0.0.0:2376 admitting the client certificate
# CN traefik; Traefik's docker provider with tls.ca, tls.cert, tls.key;
# SOCKWARD_LOG_LEVEL=debug for the handshake lines):
#   - whoami.localhost answers through Traefik, and a container started
#     afterwards is routed (the /events stream over TLS);
#   - sockward's log has the tls:// listener, the TLS library and the
#     handshakes, /events, no verdict=deny, no error, warning, failed
#     handshake or seccomp refusal;
#   - from a container on Traefik's network, curl with Traefik's
#     certificate gets 200; with --cacert only (no client certificate) and
#     with the CN=intruder certificate it is refused, and sockward's log
#     names both refusals.
# Filter part (issue 13), for each Traefik version: sockward with the
# traefik profile and SOCKWARD_VISIBLE_LABEL=traefik.enable=true on a unix
# socket, Traefik (exposedByDefault=true, so only sockward hides anything)
# reaching it through a socat relay on the host that dumps every byte in
# both directions:
#   - whoami containers labelled traefik.enable=true are routed, one
#     started before Traefik and one after (the filtered /events stream);
#   - containers with router labels but not traefik.enable=true are not;
#   - the secret in a routed container's environment is in no byte Traefik
#     received, while the capture holds that container's ID and inspect;
#   - sockward's log shows filtered responses and no deny or error.
# Swarm part: a private dockerd in its own network namespace (never the
# shared one, which is neither stopped nor reconfigured nor put in swarm
# mode), the images loaded into it, `docker swarm init`, then
# examples/traefik-swarm/stack.yml (+ traefik-v2.yml for v2) deployed:
# whoami.localhost must answer through Traefik's swarm provider from both
# whoami tasks, sockward's task must run as non-root, and its log must show
# /services and /tasks and no deny. Traefik's host-mode port is reached with
# curl inside that network namespace (nsenter).
#
# Everything it creates is removed on exit, success, failure or SIGTERM.
# Needs root (the private dockerd) and, for the first image build only, Go
# and the Go module proxy (about 10 to 15 minutes per Traefik version on 2
# cores); later runs take about 2 minutes. Prints PASS/FAIL lines and ends
# with "e2e: N passed, M failed"; exits non-zero on any failure.
set -uo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$E2E_DIR/../.." && pwd)

if [ "$(id -u)" -ne 0 ]; then
	exec sudo -E "$0" "$@"
fi

# shellcheck source=tests/e2e/images.sh
. "$E2E_DIR/images.sh"
set +e
cd "$ROOT" || exit 1
unset DOCKER_HOST DOCKER_CONTEXT

. "$ROOT/scripts/deps.sh"
deps_install docker-compose curl iproute2 util-linux openssl || {
	echo "e2e: cannot install docker-compose, curl, iproute2, util-linux, openssl" >&2
	exit 1
}

: "${E2E_SWARM:=1}"
: "${E2E_FILTER:=1}"
: "${E2E_COMPOSE:=1}"
: "${E2E_TLS:=1}"
UP_TIMEOUT=${E2E_UP_TIMEOUT:-60}
ROUTE_TIMEOUT=${E2E_ROUTE_TIMEOUT:-10}
SWARM_TIMEOUT=${E2E_SWARM_TIMEOUT:-90}
SW=${E2E_SWARM_DIR:-/tmp/sw-e2e}
RUN_ID=$$
T_START=$SECONDS

PASSED=0
FAILED=0
FAILED_NAMES=()
pass() { PASSED=$((PASSED + 1)); echo "PASS: $*"; }
fail() {
	FAILED=$((FAILED + 1))
	FAILED_NAMES+=("$1")
	echo "FAIL: $*"
}

WORK=$(mktemp -d /tmp/sockward-e2e.XXXXXX)
PROJECTS=()
TLS_PROJECTS=()
FILTER_PIDS=()
FILTER_NETS=()

# ---- cleanup ----

compose_down() { # PROJECT [COMPOSE FILE, default examples/traefik/compose.yml]
	docker-compose -p "$1" -f "$ROOT/${2:-examples/traefik/compose.yml}" \
		down -v --remove-orphans --timeout 5 >/dev/null 2>&1
}

swarm_teardown() {
	local pid f
	[ -d "$SW" ] || return 0
	if [ -S "$SW/docker.sock" ]; then
		docker -H "unix://$SW/docker.sock" swarm leave --force >/dev/null 2>&1
	fi
	for f in "$SW/docker.pid" "$SW/unshare.pid"; do
		pid=$(cat "$f" 2>/dev/null) || continue
		kill -TERM "$pid" 2>/dev/null
	done
	for _ in $(seq 1 40); do
		pid=$(cat "$SW/unshare.pid" 2>/dev/null) || break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.5
	done
	pid=$(cat "$SW/unshare.pid" 2>/dev/null) && kill -KILL "$pid" 2>/dev/null
	# containerd and its shims were children of that dockerd
	for _ in $(seq 1 20); do
		pgrep -f "$SW/exec/containerd" >/dev/null 2>&1 || break
		sleep 0.5
	done
	pgrep -f "$SW/exec/containerd" | while read -r pid; do kill -KILL "$pid" 2>/dev/null; done
	grep -o " $SW/[^ ]*" /proc/mounts | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	rm -rf "$SW"
}

cleanup() {
	local p
	trap - EXIT INT TERM
	for p in "${PROJECTS[@]}"; do compose_down "$p"; done
	for p in "${TLS_PROJECTS[@]}"; do compose_down "$p" examples/traefik-tls/compose.yml; done
	docker ps -aq --filter "label=sockward-e2e.run=$RUN_ID" | xargs -r docker rm -f >/dev/null 2>&1
	for p in "${FILTER_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${FILTER_NETS[@]}"; do docker network rm "$p" >/dev/null 2>&1; done
	[ "$E2E_SWARM" = 1 ] && swarm_teardown
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "e2e: interrupted" >&2; exit 130' INT TERM

# ---- helpers ----

# log_has FILE ERE... : some line of FILE matches every ERE.  One reader
# of the whole file: `grep A f | grep -q B` under pipefail fails when the
# first grep is killed by SIGPIPE after the second one has matched.
log_has() {
	local f=$1
	shift
	awk 'BEGIN { for (i = 1; i < ARGC; i++) re[i] = ARGV[i]; n = ARGC - 1; ARGC = 1 }
	    { for (i = 1; i <= n; i++) if ($0 !~ re[i]) next; found = 1; exit }
	    END { exit !found }' "$@" <"$f"
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + RANDOM % 20000))
}

# probe HOST PORT [PREFIX...]: GET / with that Host header; prints the status
# code and leaves the body in $WORK/body.
probe() {
	local host=$1 port=$2
	shift 2
	"$@" curl -s -m 3 -o "$WORK/body" -w '%{http_code}' -H "Host: $host" \
		"http://127.0.0.1:$port/" 2>/dev/null || true
}

# wait_route HOST PORT CODE TEXT TIMEOUT [PREFIX...]: until GET answers CODE
# and (if TEXT) a body containing TEXT. Sets WAITED (seconds) and GOT (code).
wait_route() {
	local host=$1 port=$2 code=$3 text=$4 timeout=$5 t0=$SECONDS
	shift 5
	while :; do
		GOT=$(probe "$host" "$port" "$@")
		if [ "$GOT" = "$code" ] && { [ -z "$text" ] || grep -qF -- "$text" "$WORK/body"; }; then
			WAITED=$((SECONDS - t0))
			return 0
		fi
		[ $((SECONDS - t0)) -ge "$timeout" ] && break
		sleep 0.5
	done
	WAITED=$((SECONDS - t0))
	return 1
}

# ---- the examples parse ----

echo "== e2e: examples"
for f in examples/traefik/compose.yml examples/traefik-tls/compose.yml examples/homepage/compose.yml examples/dozzle/compose.yml; do
	if out=$(docker-compose -f "$f" config -q 2>&1); then
		pass "[examples] $f is valid for docker-compose $(docker-compose version --short 2>/dev/null)"
	else
		fail "examples-$f" "[examples] $f: $out"
	fi
done
if out=$(docker stack config -c examples/traefik-swarm/stack.yml -c examples/traefik-swarm/traefik-v2.yml 2>&1 >/dev/null); then
	pass "[examples] examples/traefik-swarm/stack.yml (+ traefik-v2.yml) is a valid stack file"
elif grep -q 'unknown command\|is not a docker command' <<<"$out"; then
	echo "e2e: this docker CLI has no 'docker stack config'; the swarm deploy below checks the stack file"
else
	fail examples-stack "[examples] examples/traefik-swarm/stack.yml: $out"
fi

# ---- images ----

echo "== e2e: images"
t0=$SECONDS
SOCKWARD_IMG=$(e2e_sockward_image) || { fail images "sockward image did not build"; SOCKWARD_IMG=; }
WHOAMI_IMG=$(e2e_whoami_image) || { fail images "whoami image did not build"; WHOAMI_IMG=; }
declare -A TRAEFIK_IMG
for v in $TRAEFIK_VERSIONS; do
	TRAEFIK_IMG[$v]=$(e2e_traefik_image "$v") || {
		fail "images-$v" "traefik $v image did not build (see BLOCKED above)"
		TRAEFIK_IMG[$v]=
	}
done
echo "e2e: images ready in $((SECONDS - t0)) s: sockward=${SOCKWARD_IMG:-none} whoami=${WHOAMI_IMG:-none}" \
	"traefik=$(for v in $TRAEFIK_VERSIONS; do printf '%s ' "${TRAEFIK_IMG[$v]:-none}"; done)"
SOCK_GID=$(stat -c %g /var/run/docker.sock)

# ---- compose ----

compose_test() { # VERSION
	local v=$1 project port apps cmd logs cid pid status uid groups w2 out name
	local failed0=$FAILED
	name="[compose traefik $v]"
	project=sockward-e2e-${v//./-}
	port=$(free_port)
	apps=$project-apps
	PROJECTS+=("$project")
	export SOCKWARD_IMAGE=$SOCKWARD_IMG TRAEFIK_IMAGE=${TRAEFIK_IMG[$v]} \
		WHOAMI_IMAGE=$WHOAMI_IMG HTTP_ADDR=127.0.0.1 HTTP_PORT=$port \
		APPS_NETWORK=$apps
	cmd=(docker-compose -p "$project" -f "$ROOT/examples/traefik/compose.yml")
	echo "== e2e: $name project $project, Traefik on 127.0.0.1:$port"
	compose_down "$project"
	if ! "${cmd[@]}" up -d >"$WORK/up.log" 2>&1; then
		cat "$WORK/up.log"
		fail "$v-up" "$name docker-compose up failed"
		compose_down "$project"
		return
	fi

	if wait_route whoami.localhost "$port" 200 "Host: whoami.localhost" "$UP_TIMEOUT"; then
		pass "$name whoami.localhost routed through Traefik and sockward (200 after ${WAITED} s)"
	else
		fail "$v-route" "$name whoami.localhost: last status ${GOT:-none} after ${WAITED} s"
		head -c 300 "$WORK/body" 2>/dev/null
		echo
	fi

	# A container started now: routed only if the /events stream passed.
	w2=$project-w2
	docker rm -f "$w2" >/dev/null 2>&1
	docker run -d --name "$w2" --network "$apps" \
		--label "sockward-e2e.run=$RUN_ID" \
		--label traefik.enable=true \
		--label 'traefik.http.routers.w2.rule=Host(`w2.localhost`)' \
		--label traefik.http.services.w2.loadbalancer.server.port=80 \
		--label "traefik.docker.network=$apps" \
		"$WHOAMI_IMG" -name w2 >/dev/null
	if wait_route w2.localhost "$port" 200 "Name: w2" "$ROUTE_TIMEOUT"; then
		pass "$name new container w2.localhost routed (${WAITED} s after start)"
	else
		fail "$v-events-add" "$name w2.localhost not routed within $ROUTE_TIMEOUT s (last ${GOT:-none})"
	fi
	docker stop -t 2 "$w2" >/dev/null 2>&1
	if wait_route w2.localhost "$port" 404 "" "$ROUTE_TIMEOUT"; then
		pass "$name stopped container w2.localhost unrouted (404 ${WAITED} s after stop)"
	else
		fail "$v-events-remove" "$name w2.localhost still answers ${GOT:-none} $ROUTE_TIMEOUT s after stop"
	fi
	docker rm -f "$w2" >/dev/null 2>&1

	# What Traefik asked sockward for. A stream is logged when it ends, so
	# stop Traefik first: its /events request then gets its access line.
	"${cmd[@]}" stop -t 5 traefik >/dev/null 2>&1
	logs=$WORK/sockward-$v.log
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		"${cmd[@]}" logs --no-color sockward >"$logs" 2>&1
		grep -q 'path="/events"' "$logs" && break
		sleep 0.5
	done
	if grep -q 'verdict=deny' "$logs"; then
		fail "$v-log-deny" "$name sockward denied Traefik requests:"
		grep 'verdict=deny' "$logs" | head -5
	elif ! grep -q 'verdict=allow' "$logs"; then
		fail "$v-log-deny" "$name sockward logged no access at all"
	else
		pass "$name no verdict=deny in sockward's log ($(grep -c 'verdict=allow' "$logs") allowed requests:" \
			"$(grep -o 'path="[^"]*"' "$logs" | sed 's/^path=//; s/"//g; s#/[0-9a-f]\{64\}#/{id}#' | sort -u | tr '\n' ' '))"
	fi
	if grep -q 'path="/events"' "$logs"; then
		pass "$name sockward forwarded Traefik's /events stream"
	else
		fail "$v-log-events" "$name no path=\"/events\" line in sockward's log"
	fi
	if grep -qE '^[^|]*\| [0-9T:.-]+Z error |seccomp: refused' "$logs"; then
		fail "$v-log-errors" "$name errors in sockward's log:"
		grep -E '^[^|]*\| [0-9T:.-]+Z error |seccomp: refused' "$logs" | head -5
	else
		pass "$name no error line and no seccomp refusal in sockward's log"
	fi

	# Privileges, seen from the host (the image has no shell).
	cid=$("${cmd[@]}" ps -q sockward)
	pid=$(docker inspect -f '{{.State.Pid}}' "$cid" 2>/dev/null)
	status=$(cat "/proc/$pid/status" 2>/dev/null)
	uid=$(printf '%s\n' "$status" | awk '/^Uid:/ {print $2, $3, $4, $5}')
	groups=$(printf '%s\n' "$status" | awk '/^Groups:/ {$1=""; print substr($0, 2)}')
	if [ -n "$uid" ] && ! grep -qw 0 <<<"$uid"; then
		pass "$name sockward runs as non-root (Uid: $uid)"
	else
		fail "$v-nonroot" "$name sockward runs as root (host pid ${pid:-?}, Uid: ${uid:-unknown}) — needs the privilege drop in sockward"
		grep -i 'privilege\|user\|sandbox' "$logs" | head -3
	fi
	if [ "$groups" = "$SOCK_GID" ]; then
		pass "$name sockward's only group is the socket's ($SOCK_GID)"
	else
		fail "$v-groups" "$name sockward's groups are '${groups}', expected only the socket's gid $SOCK_GID"
	fi
	if out=$(docker exec "$cid" /sockward health 2>&1); then
		pass "$name sockward health: ${out:-ok}"
	else
		fail "$v-health" "$name sockward health failed: $out"
	fi

	# A compromised Traefik: what it may not do, and who cannot reach sockward.
	out=$(docker run --rm --network "${project}_traefik" --label "sockward-e2e.run=$RUN_ID" \
		"$WHOAMI_IMG" -probe POST http://sockward:2375/v1.41/containers/create 2>&1)
	if [ "${out%%$'\n'*}" = 403 ] && grep -q 'not allowed' <<<"$out"; then
		pass "$name POST /containers/create from Traefik's network: 403 from sockward"
	else
		fail "$v-deny-create" "$name POST /containers/create from Traefik's network: $(printf '%s' "$out" | head -2 | tr '\n' ' ')"
	fi
	out=$(docker run --rm --network "$apps" --label "sockward-e2e.run=$RUN_ID" \
		"$WHOAMI_IMG" -probe GET http://sockward:2375/_ping 2>&1)
	if [[ "${out%%$'\n'*}" == error:* ]]; then
		pass "$name sockward unreachable from the apps network"
	else
		fail "$v-isolation" "$name sockward answered from the apps network: $(printf '%s' "$out" | head -1)"
	fi

	if [ "$FAILED" -gt "$failed0" ]; then
		echo "--- $name last lines of the logs"
		"${cmd[@]}" logs --no-color --tail 15 2>&1 | sed 's/^/    /'
	fi
	compose_down "$project"
}

if [ "$E2E_COMPOSE" = 1 ] && [ -n "$SOCKWARD_IMG" ] && [ -n "$WHOAMI_IMG" ]; then
	for v in $TRAEFIK_VERSIONS; do
		[ -n "${TRAEFIK_IMG[$v]}" ] || continue
		t0=$SECONDS
		compose_test "$v"
		echo "e2e: compose traefik $v took $((SECONDS - t0)) s"
	done
fi

# ---- TLS: Traefik's docker provider over tls:// (issue 14) ----

# tls_curl NETNS_PID IP ARGS...: curl from the network namespace of
# process NETNS_PID to https://sockward:2376/_ping (sockward resolved to
# IP: the host's resolver is not Docker's), CA $T_CERTS/ca/ca.pem. Prints
# "CODE BODY" (CODE 000 when no HTTP answer); the exit status is curl's.
tls_curl() {
	local pid=$1 ip=$2 rc
	shift 2
	nsenter "--net=/proc/$pid/ns/net" curl -sS -m 5 -o "$WORK/tls-body" -w '%{http_code}' \
		--cacert "$T_CERTS/ca/ca.pem" --resolve "sockward:2376:$ip" "$@" \
		https://sockward:2376/_ping >"$WORK/tls-code" 2>"$WORK/tls-err"
	rc=$?
	printf '%s %s' "$(cat "$WORK/tls-code")" "$(head -c 100 "$WORK/tls-body" 2>/dev/null)"
	return $rc
}

tls_test() { # VERSION
	local v=$1 project port apps cmd logs w2 name sw_cid sw_ip pid probe_cid out rc n
	local failed0=$FAILED
	name="[tls traefik $v]"
	project=sockward-e2e-tls-${v//./-}
	port=$(free_port)
	apps=$project-apps
	TLS_PROJECTS+=("$project")
	FILTER_NETS+=("$apps")
	export SOCKWARD_IMAGE=$SOCKWARD_IMG TRAEFIK_IMAGE=${TRAEFIK_IMG[$v]} \
		WHOAMI_IMAGE=$WHOAMI_IMG HTTP_ADDR=127.0.0.1 HTTP_PORT=$port \
		APPS_NETWORK=$apps SOCKWARD_CERTS=$T_CERTS/sockward \
		TRAEFIK_CERTS=$T_CERTS/traefik SOCKWARD_LOG_LEVEL=debug
	cmd=(docker-compose -p "$project" -f "$ROOT/examples/traefik-tls/compose.yml")
	echo "== e2e: $name project $project, Traefik on 127.0.0.1:$port, sockward on tls://sockward:2376"
	compose_down "$project" examples/traefik-tls/compose.yml
	if ! "${cmd[@]}" up -d >"$WORK/up.log" 2>&1; then
		cat "$WORK/up.log"
		fail "tls-$v-up" "$name docker-compose up failed"
		compose_down "$project" examples/traefik-tls/compose.yml
		return
	fi

	if wait_route whoami.localhost "$port" 200 "Host: whoami.localhost" "$UP_TIMEOUT"; then
		pass "$name whoami.localhost routed by Traefik's docker provider over TLS to sockward (200 after ${WAITED} s)"
	else
		fail "tls-$v-route" "$name whoami.localhost: last status ${GOT:-none} after ${WAITED} s"
	fi
	# Routed only if the /events stream passes over TLS.
	w2=$project-w2
	docker rm -f "$w2" >/dev/null 2>&1
	docker run -d --name "$w2" --network "$apps" \
		--label "sockward-e2e.run=$RUN_ID" \
		--label traefik.enable=true \
		--label 'traefik.http.routers.w2.rule=Host(`w2.localhost`)' \
		--label traefik.http.services.w2.loadbalancer.server.port=80 \
		--label "traefik.docker.network=$apps" \
		"$WHOAMI_IMG" -name w2 >/dev/null
	if wait_route w2.localhost "$port" 200 "Name: w2" "$ROUTE_TIMEOUT"; then
		pass "$name new container w2.localhost routed (${WAITED} s after start: /events over TLS)"
	else
		fail "tls-$v-events" "$name w2.localhost not routed within $ROUTE_TIMEOUT s (last ${GOT:-none})"
	fi
	docker rm -f "$w2" >/dev/null 2>&1

	# Stop Traefik first: its /events request then gets its access line.
	"${cmd[@]}" stop -t 5 traefik >/dev/null 2>&1
	logs=$WORK/sockward-tls-$v.log
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		"${cmd[@]}" logs --no-color sockward >"$logs" 2>&1
		grep -q 'path="/events"' "$logs" && break
		sleep 0.5
	done
	if grep -q 'listener default on tls://0.0.0.0:2376' "$logs" && grep -q ' info TLS: wolfSSL' "$logs" &&
		grep -qE 'TLSv1\.[23] [A-Z0-9_]+ on tls://0\.0\.0\.0:2376' "$logs"; then
		pass "$name sockward's log: tls:// listener, $(grep -o 'TLS: wolfSSL[^ ]* [0-9.]*' "$logs" | head -1)," \
			"$(grep -cE 'TLSv1\.[23] [A-Z0-9_]+ on tls://' "$logs") handshakes ($(grep -oE 'TLSv1\.[23] [A-Z0-9_]+ on' "$logs" | sort -u | sed 's/ on$//' | tr '\n' ' ' | sed 's/ $//'))"
	else
		fail "tls-$v-log-tls" "$name no tls:// listener, TLS library or handshake line in sockward's log:"
		grep -iE 'listener default on|TLS' "$logs" | head -5
	fi
	if grep -q 'verdict=deny' "$logs"; then
		fail "tls-$v-log-deny" "$name sockward denied Traefik requests:"
		grep 'verdict=deny' "$logs" | head -5
	elif ! log_has "$logs" 'verdict=allow' 'listener=default'; then
		fail "tls-$v-log-deny" "$name sockward logged no access at all"
	elif ! grep -q 'path="/events"' "$logs"; then
		fail "tls-$v-log-events" "$name no path=\"/events\" line in sockward's log"
	else
		pass "$name sockward forwarded /events, denied nothing ($(grep -c 'verdict=allow' "$logs") allowed requests)"
	fi
	if grep -qE '^[^|]*\| [0-9T:.-]+Z (error|warn) |seccomp: refused|handshake .* failed|not admitted' "$logs"; then
		fail "tls-$v-log-errors" "$name errors or refusals in sockward's log while Traefik ran:"
		grep -E '^[^|]*\| [0-9T:.-]+Z (error|warn) |seccomp: refused|handshake .* failed|not admitted' "$logs" | head -5
	else
		pass "$name no error, warning, failed handshake or seccomp refusal in sockward's log"
	fi

	# Clients on Traefik's network: a container there (whoami, for its
	# network namespace), curl run in that namespace from the host.
	sw_cid=$("${cmd[@]}" ps -q sockward)
	sw_ip=$(docker inspect -f "{{(index .NetworkSettings.Networks \"${project}_traefik\").IPAddress}}" "$sw_cid" 2>/dev/null)
	probe_cid=$(docker run -d --network "${project}_traefik" --label "sockward-e2e.run=$RUN_ID" "$WHOAMI_IMG" 2>/dev/null)
	pid=$(docker inspect -f '{{.State.Pid}}' "$probe_cid" 2>/dev/null)
	if [ -z "$sw_ip" ] || [ -z "$pid" ] || [ "$pid" = 0 ]; then
		fail "tls-$v-probe" "$name no probe container on ${project}_traefik (sockward at '${sw_ip}', pid '${pid}')"
	else
		out=$(tls_curl "$pid" "$sw_ip" --cert "$T_CERTS/traefik/cert.pem" --key "$T_CERTS/traefik/key.pem")
		if [ "$out" = "200 OK" ]; then
			pass "$name curl with Traefik's certificate from Traefik's network: 200 OK"
		else
			fail "tls-$v-client-ok" "$name curl with Traefik's certificate: '$out' $(cat "$WORK/tls-err")"
		fi
		out=$(tls_curl "$pid" "$sw_ip")
		rc=$?
		if [ "$rc" -ne 0 ] && [ "${out%% *}" = 000 ]; then
			pass "$name curl --cacert without a client certificate: refused (curl exit $rc: $(tr -d '\n' <"$WORK/tls-err" | cut -c1-90))"
		else
			fail "tls-$v-no-cert" "$name curl without a client certificate got '$out' (exit $rc)"
		fi
		out=$(tls_curl "$pid" "$sw_ip" --cert "$T_CERTS/intruder/cert.pem" --key "$T_CERTS/intruder/key.pem")
		rc=$?
		if [ "${out%% *}" != 200 ]; then
			pass "$name curl with a certificate of the same CA but CN=intruder: refused (${out%% *}, curl exit $rc)"
		else
			fail "tls-$v-wrong-cn" "$name curl with CN=intruder got '$out'"
		fi
		# ... and it was sockward's TLS that refused them, each in a line.
		sleep 0.5
		"${cmd[@]}" logs --no-color sockward >"$logs" 2>&1
		n=$(grep -cE 'TLS handshake with .* on tls://0\.0\.0\.0:2376 failed|certificate .*intruder.* not admitted' "$logs")
		if grep -qE 'TLS handshake with .* on tls://0\.0\.0\.0:2376 failed' "$logs" &&
			grep -qE 'certificate .*intruder.* not admitted' "$logs"; then
			pass "$name sockward's log names both refusals: $(grep -oE 'failed: .*|certificate .*intruder.* not admitted' "$logs" | tr '\n' ';' | cut -c1-160)"
		else
			fail "tls-$v-log-refusals" "$name sockward's log lacks the refusals ($n lines):"
			grep -iE 'handshake|admitted|refused' "$logs" | tail -4
		fi
	fi
	[ -n "$probe_cid" ] && docker rm -f "$probe_cid" >/dev/null 2>&1

	if [ "$FAILED" -gt "$failed0" ]; then
		echo "--- $name last lines of the logs"
		"${cmd[@]}" logs --no-color --tail 15 2>&1 | sed 's/^/    /'
	fi
	compose_down "$project" examples/traefik-tls/compose.yml
}

if [ "$E2E_TLS" = 1 ] && [ -n "$SOCKWARD_IMG" ] && [ -n "$WHOAMI_IMG" ]; then
	# The certificates as a user makes them: the shipped certs.sh, then a
	# client certificate of the same CA, made as certs.sh makes Traefik's,
	# for a name sockward does not admit.
	T_CERTS=$WORK/tls-certs
	if out=$("$ROOT/examples/traefik-tls/certs.sh" "$T_CERTS" 2>&1) &&
		mkdir -p "$T_CERTS/intruder" &&
		printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n' \
			>"$T_CERTS/intruder/ext" &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=intruder \
			-keyout "$T_CERTS/intruder/key.pem" -out "$T_CERTS/intruder/csr.pem" 2>/dev/null &&
		openssl x509 -req -in "$T_CERTS/intruder/csr.pem" -CA "$T_CERTS/ca/ca.pem" \
			-CAkey "$T_CERTS/ca/ca-key.pem" -CAserial "$T_CERTS/intruder/ca.srl" -CAcreateserial \
			-days 2 -extfile "$T_CERTS/intruder/ext" -out "$T_CERTS/intruder/cert.pem" 2>/dev/null; then
		pass "[tls] examples/traefik-tls/certs.sh: ${out##*certs.sh: }"
		for v in $TRAEFIK_VERSIONS; do
			[ -n "${TRAEFIK_IMG[$v]}" ] || continue
			t0=$SECONDS
			tls_test "$v"
			echo "e2e: tls traefik $v took $((SECONDS - t0)) s"
		done
	else
		fail tls-certs "[tls] examples/traefik-tls/certs.sh failed: $out"
	fi
fi

# ---- response filtering: what Traefik sees through sockward (issue 13) ----

# wait_sock PATH SECONDS: until PATH is a socket, at most SECONDS.
wait_sock() {
	local i
	for i in $(seq 1 $(($2 * 4))); do
		[ -S "$1" ] && return 0
		sleep 0.25
	done
	return 1
}

# filter_backend NAME LABELLED [docker run options...]: a whoami container
# on the apps network with a router rule for NAME.filter.localhost, labelled
# traefik.enable=true when LABELLED is 1. Prints its ID.
filter_backend() {
	local n=$1 labelled=$2 p=$F_PROJECT
	shift 2
	local labels=(--label "sockward-e2e.run=$RUN_ID"
		--label "traefik.http.routers.$p-$n.rule=Host(\`$n.filter.localhost\`)"
		--label "traefik.http.services.$p-$n.loadbalancer.server.port=80"
		--label "traefik.docker.network=$F_APPS")
	[ "$labelled" = 1 ] && labels+=(--label traefik.enable=true)
	docker run -d --name "$p-$n" --network "$F_APPS" "${labels[@]}" "$@" \
		"$WHOAMI_IMG" -name "$n"
}

filter_test() { # VERSION
	local v=$1 name dir port secret w1 w2 w3 h1 h2 relay id ok logs n
	local failed0=$FAILED
	name="[filter traefik $v]"
	F_PROJECT=sockward-e2e-filter-${v//./-}
	F_APPS=$F_PROJECT-apps
	dir=$WORK/filter-${v//./-}
	port=$(free_port)
	secret=e2esecret$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	echo "== e2e: $name Traefik on 127.0.0.1:$port, secret $secret"
	mkdir -p "$dir/sw" "$dir/tap"
	docker ps -aq --filter "name=^$F_PROJECT-" | xargs -r docker rm -f >/dev/null 2>&1
	docker network rm "$F_APPS" >/dev/null 2>&1
	if ! docker network create --label "sockward-e2e.run=$RUN_ID" "$F_APPS" >/dev/null; then
		fail "filter-$v-setup" "$name cannot create network $F_APPS"
		return
	fi
	FILTER_NETS+=("$F_APPS")

	# sockward on a unix socket in a bind mount, no network at all
	docker run -d --name "$F_PROJECT-sockward" --label "sockward-e2e.run=$RUN_ID" \
		--network none --read-only --security-opt no-new-privileges:true \
		--cap-drop ALL --cap-add SETUID --cap-add SETGID \
		-v /var/run/docker.sock:/var/run/docker.sock:ro -v "$dir/sw:/run/sw" \
		-e SOCKWARD_LISTEN=unix:///run/sw/sockward.sock -e SOCKWARD_PROFILE=traefik \
		-e SOCKWARD_VISIBLE_LABEL=traefik.enable=true \
		"$SOCKWARD_IMG" >/dev/null
	if ! wait_sock "$dir/sw/sockward.sock" 10; then
		fail "filter-$v-setup" "$name sockward did not create its socket"
		docker logs "$F_PROJECT-sockward" 2>&1 | tail -5
		return
	fi
	# The relay: Traefik -> to-sockward.bin, sockward -> from-sockward.bin.
	socat -r "$dir/to-sockward.bin" -R "$dir/from-sockward.bin" \
		"UNIX-LISTEN:$dir/tap/docker.sock,fork,mode=0666" \
		"UNIX-CONNECT:$dir/sw/sockward.sock" 2>"$dir/socat.log" &
	relay=$!
	FILTER_PIDS+=("$relay")
	if ! wait_sock "$dir/tap/docker.sock" 5; then
		fail "filter-$v-setup" "$name the socat relay did not start: $(cat "$dir/socat.log")"
		return
	fi

	# Routed: w1 (before Traefik), w2 (before, the secret in its
	# environment), w3 (after, the secret too). Not routed: h1 (before), h2
	# (after), router labels and the secret but no traefik.enable=true.
	w1=$(filter_backend w1 1) && w2=$(filter_backend w2 1 -e "SECRET_TOKEN=$secret") &&
		h1=$(filter_backend h1 0 -e "SECRET_TOKEN=$secret") || {
		fail "filter-$v-setup" "$name whoami containers did not start"
		return
	}
	# exposedByDefault=true: Traefik would route h1 and h2 if it saw them.
	docker run -d --name "$F_PROJECT-traefik" --label "sockward-e2e.run=$RUN_ID" \
		--network "$F_APPS" -p "127.0.0.1:$port:80" -v "$dir/tap:/run/tap" \
		--read-only --security-opt no-new-privileges:true \
		"${TRAEFIK_IMG[$v]}" --providers.docker=true \
		--providers.docker.endpoint=unix:///run/tap/docker.sock \
		--providers.docker.exposedByDefault=true \
		--providers.docker.network="$F_APPS" \
		--entrypoints.web.address=:80 --log.level=INFO >/dev/null || {
		fail "filter-$v-setup" "$name Traefik did not start"
		return
	}

	ok=1
	for n in w1 w2; do
		if ! wait_route "$n.filter.localhost" "$port" 200 "Name: $n" "$UP_TIMEOUT"; then
			fail "filter-$v-route-$n" "$name $n.filter.localhost (traefik.enable=true): last status ${GOT:-none} after ${WAITED} s"
			ok=0
		fi
	done
	[ "$ok" = 1 ] && pass "$name w1 and w2 (traefik.enable=true, started before Traefik) routed"
	w3=$(filter_backend w3 1 -e "SECRET_TOKEN=$secret")
	h2=$(filter_backend h2 0 -e "SECRET_TOKEN=$secret")
	if wait_route w3.filter.localhost "$port" 200 "Name: w3" "$ROUTE_TIMEOUT"; then
		pass "$name w3 (traefik.enable=true, started after Traefik) routed ${WAITED} s after start"
	else
		fail "filter-$v-route-w3" "$name w3.filter.localhost not routed within $ROUTE_TIMEOUT s (last ${GOT:-none})"
	fi
	sleep 2
	ok=1
	for n in h1 h2; do
		GOT=$(probe "$n.filter.localhost" "$port")
		if [ "$GOT" != 404 ]; then
			fail "filter-$v-hidden-$n" "$name $n.filter.localhost (no traefik.enable=true) answers $GOT, want 404"
			ok=0
		fi
	done
	[ "$ok" = 1 ] && pass "$name h1 and h2 (router labels, no traefik.enable=true) not routed (404)"

	# Stop Traefik: its /events stream ends and sockward logs it.
	docker stop -t 5 "$F_PROJECT-traefik" >/dev/null 2>&1
	sleep 0.5
	kill "$relay" 2>/dev/null
	wait "$relay" 2>/dev/null
	local from=$dir/from-sockward.bin to=$dir/to-sockward.bin
	if [ ! -s "$from" ] || ! grep -qF "$w2" "$from" || ! grep -qF "$w3" "$from" ||
		! grep -qF "/containers/$w2/json" "$to"; then
		fail "filter-$v-capture" "$name the capture misses what Traefik read: $(stat -c %s "$from" 2>/dev/null) bytes from sockward," \
			"w2's ID $(grep -cF "$w2" "$from" 2>/dev/null), w3's $(grep -cF "$w3" "$from" 2>/dev/null)," \
			"w2 inspected $(grep -cF "/containers/$w2/json" "$to" 2>/dev/null)"
	else
		pass "$name the capture holds $(stat -c %s "$from") bytes from sockward, with w2's and w3's inspect"
	fi
	# A chunk boundary could split the secret: look for each half too.
	if grep -qF -e "$secret" -e "${secret:0:16}" -e "${secret:16}" "$from"; then
		fail "filter-$v-secret" "$name the secret reached Traefik:"
		grep -aoF -e "$secret" -e "${secret:0:16}" -e "${secret:16}" "$from" | head -3
	elif [ -s "$from" ]; then
		pass "$name the secret of w2, w3, h1 and h2's environment is in no byte Traefik received"
	fi
	if grep -qF -e "$h1" -e "$h2" "$from"; then
		fail "filter-$v-hidden-ids" "$name the IDs of h1 or h2 reached Traefik"
	elif [ -s "$from" ]; then
		pass "$name the IDs of h1 and h2 are in no byte Traefik received"
	fi
	logs=$dir/sockward.log
	docker logs "$F_PROJECT-sockward" >"$logs" 2>&1
	if grep -q 'verdict=deny' "$logs"; then
		fail "filter-$v-log" "$name sockward denied Traefik requests:"
		grep 'verdict=deny' "$logs" | head -5
	elif grep -qE '^[0-9T:.-]+Z error |seccomp: refused' "$logs"; then
		fail "filter-$v-log" "$name errors in sockward's log:"
		grep -E '^[0-9T:.-]+Z error |seccomp: refused' "$logs" | head -5
	elif ! log_has "$logs" "path=\"/containers/$w2/json\"" 'filter=redacted:[1-9]'; then
		fail "filter-$v-log" "$name no filter=redacted:N on w2's inspect in sockward's log"
		grep 'access' "$logs" | tail -5
	elif ! log_has "$logs" 'path="/containers/json"' 'filter=redacted:[0-9]+,dropped:[1-9]'; then
		fail "filter-$v-log" "$name no container list with dropped elements in sockward's log"
		grep 'access' "$logs" | tail -5
	else
		pass "$name sockward's log: inspect redacted, lists filtered, no deny, no error ($(grep -c ' access ' "$logs") requests)"
	fi
	if [ "$FAILED" -gt "$failed0" ]; then
		echo "--- $name last lines of Traefik's and sockward's logs"
		docker logs --tail 10 "$F_PROJECT-traefik" 2>&1 | sed 's/^/    /'
		tail -10 "$logs" | sed 's/^/    /'
	fi
	docker ps -aq --filter "name=^$F_PROJECT-" | xargs -r docker rm -f >/dev/null 2>&1
	docker network rm "$F_APPS" >/dev/null 2>&1
}

if [ "$E2E_FILTER" = 1 ] && [ -n "$SOCKWARD_IMG" ] && [ -n "$WHOAMI_IMG" ]; then
	for v in $TRAEFIK_VERSIONS; do
		[ -n "${TRAEFIK_IMG[$v]}" ] || continue
		t0=$SECONDS
		filter_test "$v"
		echo "e2e: filter traefik $v took $((SECONDS - t0)) s"
	done
fi

# ---- swarm, on a private dockerd ----

swarm_start() {
	swarm_teardown
	mkdir -p "$SW"
	echo '{}' >"$SW/daemon.json"
	# Its own network namespace: its bridges, iptables rules and published
	# ports never touch the host's or the shared daemon's. Its own
	# containerd (dockerd starts one under --exec-root when no system
	# containerd socket exists) and cgroup parent.
	unshare --net --fork --kill-child=SIGTERM sh -c '
		ip link set lo up && exec dockerd "$@"' sh \
		-H "unix://$SW/docker.sock" --data-root "$SW/data" --exec-root "$SW/exec" \
		--pidfile "$SW/docker.pid" --config-file "$SW/daemon.json" \
		--containerd-namespace sockward-e2e --containerd-plugins-namespace sockward-e2e-plugins \
		--bridge=none --storage-driver vfs --cgroup-parent sockward-e2e \
		>"$SW/dockerd.log" 2>&1 &
	echo $! >"$SW/unshare.pid"
	for _ in $(seq 1 60); do
		docker -H "unix://$SW/docker.sock" info >/dev/null 2>&1 && return 0
		kill -0 "$(cat "$SW/unshare.pid")" 2>/dev/null || break
		sleep 0.5
	done
	tail -20 "$SW/dockerd.log"
	return 1
}

swarm_test() { # VERSION
	local v=$1 major stack files name ns out hosts cid pid uid groups gid
	major=${v%%.*}
	stack=sw${major#v}
	name="[swarm traefik $v]"
	files=(-c "$ROOT/examples/traefik-swarm/stack.yml")
	[ "$major" = v2 ] && files+=(-c "$ROOT/examples/traefik-swarm/traefik-v2.yml")
	ns=(nsenter "--net=/proc/$(cat "$SW/docker.pid")/ns/net")
	echo "== e2e: $name stack $stack"
	if ! SOCKWARD_IMAGE=$SOCKWARD_IMG TRAEFIK_IMAGE=${TRAEFIK_IMG[$v]} WHOAMI_IMAGE=$WHOAMI_IMG \
		HTTP_PORT=8080 DOCKER_SOCKET="$SW/docker.sock" APPS_NETWORK="$stack-apps" \
		"${P[@]}" stack deploy --resolve-image never "${files[@]}" "$stack" >"$WORK/deploy.log" 2>&1; then
		cat "$WORK/deploy.log"
		fail "swarm-$v-deploy" "$name docker stack deploy failed"
		return
	fi
	if wait_route whoami.localhost 8080 200 "Host: whoami.localhost" "$SWARM_TIMEOUT" "${ns[@]}"; then
		pass "$name whoami.localhost routed by the swarm provider through sockward (200 after ${WAITED} s)"
		# Traefik balances over the task addresses it read from /tasks.
		hosts=$(for _ in 1 2 3 4 5 6; do
			probe whoami.localhost 8080 "${ns[@]}" >/dev/null
			sed -n 's/^Hostname: //p' "$WORK/body"
		done | sort -u | wc -l)
		if [ "$hosts" -ge 2 ]; then
			pass "$name both whoami tasks answer ($hosts distinct hostnames)"
		else
			fail "swarm-$v-tasks" "$name only $hosts whoami task answered in 6 requests"
		fi
	else
		fail "swarm-$v-route" "$name whoami.localhost: last status ${GOT:-none} after ${WAITED} s"
		"${P[@]}" service ls
		"${P[@]}" service ps --no-trunc "$stack"_traefik "$stack"_sockward 2>&1 | head -8
		"${P[@]}" service logs --tail 15 "$stack"_traefik 2>&1 | sed 's/^/    /'
	fi
	# sockward's task, seen from the host (one PID namespace for both daemons)
	cid=$("${P[@]}" ps -q --filter "label=com.docker.swarm.service.name=${stack}_sockward" | head -1)
	pid=$("${P[@]}" inspect -f '{{.State.Pid}}' "$cid" 2>/dev/null)
	uid=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$pid/status" 2>/dev/null)
	groups=$(awk '/^Groups:/ {$1=""; print substr($0, 2)}' "/proc/$pid/status" 2>/dev/null)
	gid=$(stat -c %g "$SW/docker.sock")
	if [ -n "$uid" ] && ! grep -qw 0 <<<"$uid" && [ "$groups" = "$gid" ]; then
		pass "$name sockward task runs as non-root (Uid: $uid, groups: $groups)"
	else
		fail "swarm-$v-nonroot" "$name sockward task: Uid '${uid:-unknown}', groups '$groups' (socket gid $gid)"
	fi
	out=$WORK/swarm-sockward-$v.log
	"${P[@]}" service logs --raw "$stack"_sockward >"$out" 2>&1
	if grep -q 'verdict=deny' "$out"; then
		fail "swarm-$v-log" "$name sockward denied Traefik requests:"
		grep 'verdict=deny' "$out" | head -5
	elif grep -qE '^[0-9T:.-]+Z error |seccomp: refused' "$out"; then
		fail "swarm-$v-log" "$name errors in sockward's log:"
		grep -E '^[0-9T:.-]+Z error |seccomp: refused' "$out" | head -5
	elif grep -q 'path="/services"' "$out" && grep -q 'path="/tasks"' "$out"; then
		pass "$name sockward forwarded /services and /tasks, denied nothing, logged no error"
	else
		fail "swarm-$v-log" "$name no /services or /tasks in sockward's log"
		tail -5 "$out"
	fi
	"${P[@]}" stack rm "$stack" >/dev/null 2>&1
	for _ in $(seq 1 30); do
		[ -z "$("${P[@]}" ps -aq --filter "label=com.docker.stack.namespace=$stack")" ] &&
			[ -z "$("${P[@]}" network ls -q --filter "label=com.docker.stack.namespace=$stack")" ] && break
		sleep 0.5
	done
}

if [ "$E2E_SWARM" = 1 ] && [ -n "$SOCKWARD_IMG" ] && [ -n "$WHOAMI_IMG" ]; then
	t0=$SECONDS
	P=(docker -H "unix://$SW/docker.sock")
	imgs=("$SOCKWARD_IMG" "$WHOAMI_IMG")
	for v in $TRAEFIK_VERSIONS; do [ -n "${TRAEFIK_IMG[$v]}" ] && imgs+=("${TRAEFIK_IMG[$v]}"); done
	if ! swarm_start; then
		fail swarm-dockerd "[swarm] the private dockerd did not start (log above)"
	elif ! docker save "${imgs[@]}" | "${P[@]}" load >/dev/null; then
		fail swarm-load "[swarm] loading the images into the private dockerd failed"
	elif ! "${P[@]}" swarm init --advertise-addr 127.0.0.1 >/dev/null; then
		fail swarm-init "[swarm] docker swarm init failed"
	else
		echo "e2e: private dockerd with swarm ready in $((SECONDS - t0)) s"
		for v in $TRAEFIK_VERSIONS; do
			[ -n "${TRAEFIK_IMG[$v]}" ] || continue
			t1=$SECONDS
			swarm_test "$v"
			echo "e2e: swarm traefik $v took $((SECONDS - t1)) s"
		done
	fi
	swarm_teardown
fi

echo "e2e: total $((SECONDS - T_START)) s"
[ "$FAILED" -gt 0 ] && echo "e2e: failed: ${FAILED_NAMES[*]}"
echo "e2e: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
