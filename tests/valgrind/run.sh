#!/usr/bin/env bash
# Run integration tests with sockward under valgrind memcheck: any invalid
# access, uninitialised use or definite/indirect leak fails the run.
# seccomp and Landlock are off for this run (SOCKWARD_SANDBOX=0): valgrind
# cannot execute inside a seccomp filter.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-$PWD/build/rel/sockward}
shift || true
logs=$(mktemp -d /tmp/sockward-vg.XXXXXX)
chmod 0755 "$logs"
wrap="$logs/sockward"
cat >"$wrap" <<WRAP
#!/bin/sh
exec valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \\
	--errors-for-leak-kinds=definite,indirect --track-fds=no \\
	--log-file=$logs/vg.%p.log "$bin" "\$@"
WRAP
chmod 0755 "$wrap"
tests=${VALGRIND_TESTS:-"tests/integration/test_cli.py tests/integration/test_traefik_paths.py tests/integration/test_malformed.py tests/integration/test_hijack.py tests/integration/test_events.py tests/integration/test_sdk.py tests/integration/test_upstream_framing.py tests/integration/test_policy.py tests/integration/test_splice.py tests/integration/test_body_framing.py tests/integration/test_filter.py"}
# shellcheck disable=SC2086
SOCKWARD_SANDBOX=0 SOCKWARD_BIN=$wrap /usr/bin/python3 -m pytest -q -p no:cacheprovider $tests "$@" || status=$?
sleep 1
bad=0
runs=0
for f in "$logs"/vg.*.log; do
	[ -e "$f" ] || continue
	runs=$((runs + 1))
	if [ -s "$f" ]; then
		bad=$((bad + 1))
		echo "valgrind report in $f:"
		cat "$f"
	fi
done
echo "valgrind: $runs sockward runs, $bad with reports"
rm -rf "$logs"
[ "${status:-0}" -eq 0 ] && [ "$bad" -eq 0 ]
