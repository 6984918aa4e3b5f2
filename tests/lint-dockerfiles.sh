#!/usr/bin/env bash
# Lint sockward's two Dockerfiles without hadolint (not packaged in Debian).
#
#   tests/lint-dockerfiles.sh [DOCKERFILE [MULTISTAGE]]
#
# Defaults: Dockerfile and Dockerfile.multistage at the repository root.
# Checks, in each file: ENTRYPOINT, CMD and HEALTHCHECK in exec form; every
# base image pinned by a tag other than latest (or a digest); the final stage
# FROM scratch with no RUN (there is no shell); no ADD of a URL; apt-get
# install with --no-install-recommends, after apt-get update in the same RUN,
# which also removes /var/lib/apt/lists; the final stage COPYs what
# `make static` produces (STATIC_BIN in the Makefile) to the path that
# ENTRYPOINT and HEALTHCHECK run.  Across files: the final stages are the
# same instructions (COPY --from=STAGE /dir/ reduced to the file name), and
# the multistage build stage runs `make static`.
# Prints "lint-dockerfiles: OK", or every problem and exits 1.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
single=${1:-$root/Dockerfile}
multi=${2:-$root/Dockerfile.multistage}
makefile=$root/Makefile
fail=0

problem() {
	echo "lint-dockerfiles: $*" >&2
	fail=1
}

# Instructions of a Dockerfile, one per line as "LINE<TAB>INSTR ARGS":
# comments and blank lines dropped, continuation lines joined, the
# instruction upper-cased, runs of blanks squeezed.
instructions() {
	awk '
	function flush() {
		if (buf != "") {
			gsub(/[ \t]+/, " ", buf)
			sub(/^ /, "", buf); sub(/ $/, "", buf)
			n = index(buf, " ")
			ins = n ? substr(buf, 1, n - 1) : buf
			rest = n ? substr(buf, n) : ""
			print start "\t" toupper(ins) rest
		}
		buf = ""
	}
	/^[ \t]*#/ { next }
	/^[ \t]*$/ { next }
	{
		line = $0
		if (buf == "") start = NR
		cont = sub(/\\[ \t]*$/, "", line)
		buf = buf " " line
		if (!cont) flush()
	}
	END { flush() }
	' "$1"
}

# The final stage: everything after the last FROM, without line numbers,
# COPY --from=STAGE /path/NAME DEST reduced to COPY NAME DEST.
final_stage() {
	instructions "$1" | awk -F'\t' '
		$2 ~ /^FROM / { n = 0; next }
		{ out[n++] = $2 }
		END { for (i = 0; i < n; i++) print out[i] }' |
	sed -E 's#^COPY --from=[^ ]+ ([^ ]*/)?([^ /]+) #COPY \2 #'
}

# The first element of an exec-form JSON array in $1 ("" if none).
exec_argv0() {
	sed -nE 's/^\[ *"([^"]*)".*/\1/p' <<<"$1"
}

static_bin=$(sed -nE 's/^STATIC_BIN[ \t]*[:?]?=[ \t]*([^ \t#]+).*/\1/p' "$makefile" | head -n1)
[ -n "$static_bin" ] || problem "$makefile: no STATIC_BIN = ... (the output of make static)"

check_file() {
	local f=$1 name=${1##*/} lineno ins args base nfrom=0 stages=" "
	local entry="" hc="" copy_dest="" copy_src=""

	if [ ! -f "$f" ]; then
		problem "$f: missing"
		return
	fi
	nfrom=$(instructions "$f" | awk -F'\t' '$2 ~ /^FROM /' | wc -l)
	[ "$nfrom" -ge 1 ] || problem "$name: no FROM"
	local i=0
	while IFS=$'\t' read -r lineno ins; do
		args=${ins#* }
		[ "$args" = "$ins" ] && args=""
		case $ins in
		FROM\ *)
			i=$((i + 1))
			base=${args%% *}
			# a stage name defined earlier is not an image
			if [[ "$stages" == *" ${base,,} "* ]]; then
				:
			elif [ "$base" = scratch ]; then
				:
			elif [[ "$base" == *@sha256:* ]]; then
				:
			elif [[ "${base##*/}" != *:* ]]; then
				problem "$name:$lineno: base image '$base' is not pinned (give a tag or a digest)"
			elif [[ "${base##*:}" == latest || "${base##*:}" == *-latest ]]; then
				problem "$name:$lineno: base image '$base' uses a latest tag"
			fi
			if [[ "$args" =~ [[:space:]][Aa][Ss][[:space:]]+([^[:space:]]+) ]]; then
				stages+="${BASH_REMATCH[1],,} "
			fi
			if [ "$i" -eq "$nfrom" ] && [ "$base" != scratch ]; then
				problem "$name:$lineno: the final stage must be FROM scratch, not '$base'"
			fi
			;;
		ENTRYPOINT\ *|CMD\ *)
			[[ "$args" == \[* ]] ||
				problem "$name:$lineno: ${ins%% *} must be in exec form [\"...\"]: $args"
			if [ "$i" -eq "$nfrom" ] && [[ "$ins" == ENTRYPOINT* ]]; then
				entry=$(exec_argv0 "$args")
			fi
			;;
		HEALTHCHECK\ *)
			local hcmd=$args
			while [[ "$hcmd" == --* ]]; do
				hcmd=${hcmd#* }
			done
			if [[ "$hcmd" == NONE ]]; then
				:
			elif [[ "$hcmd" =~ ^CMD\ (\[.*) ]]; then
				[ "$i" -eq "$nfrom" ] && hc=$(exec_argv0 "${BASH_REMATCH[1]}")
			else
				problem "$name:$lineno: HEALTHCHECK must be CMD in exec form [\"...\"]: $args"
			fi
			;;
		ADD\ *)
			if [[ "$args" =~ (https?|ftp)://|git@ ]]; then
				problem "$name:$lineno: ADD of a URL (download in a build stage and verify it)"
			fi
			;;
		RUN\ *)
			if [ "$i" -eq "$nfrom" ]; then
				problem "$name:$lineno: RUN in the final stage (FROM scratch has no shell)"
			fi
			if [[ "$args" =~ apt-get([^;&|]*)[[:space:]]install ]]; then
				[[ "$args" == *--no-install-recommends* ]] ||
					problem "$name:$lineno: apt-get install without --no-install-recommends"
				[[ "$args" == *"apt-get update"* ]] ||
					problem "$name:$lineno: apt-get install without apt-get update in the same RUN"
				[[ "$args" == *"rm -rf /var/lib/apt/lists"* ]] ||
					problem "$name:$lineno: apt-get install without rm -rf /var/lib/apt/lists/* in the same RUN"
			fi
			if [[ "$args" == *"apt "*install* ]]; then
				problem "$name:$lineno: use apt-get, not apt, in scripts"
			fi
			;;
		COPY\ *)
			if [ "$i" -eq "$nfrom" ]; then
				local c=${args}
				while [[ "$c" == --* ]]; do
					c=${c#* }
				done
				copy_src=${c%% *}
				copy_dest=${c##* }
				[ "${copy_src##*/}" = "$static_bin" ] ||
					problem "$name:$lineno: final stage copies '$copy_src'; make static produces '$static_bin'"
			fi
			;;
		esac
	done < <(instructions "$f")

	[ -n "$copy_dest" ] || problem "$name: the final stage copies no binary"
	[ -n "$entry" ] || problem "$name: the final stage has no exec-form ENTRYPOINT"
	[ -n "$hc" ] || problem "$name: the final stage has no HEALTHCHECK CMD"
	if [ -n "$copy_dest" ] && [ -n "$entry" ] && [ "$entry" != "$copy_dest" ]; then
		problem "$name: ENTRYPOINT runs '$entry' but the binary is copied to '$copy_dest'"
	fi
	if [ -n "$copy_dest" ] && [ -n "$hc" ] && [ "$hc" != "$copy_dest" ]; then
		problem "$name: HEALTHCHECK runs '$hc' but the binary is copied to '$copy_dest'"
	fi
}

check_file "$single"
check_file "$multi"

if [ -f "$single" ] && [ -f "$multi" ]; then
	if ! d=$(diff -u --label "${single##*/} (final stage)" \
	    --label "${multi##*/} (final stage)" \
	    <(final_stage "$single") <(final_stage "$multi")); then
		problem "the final stages differ (keep them identical):"
		printf '%s\n' "$d" >&2
	fi
	[ "$(instructions "$single" | awk -F'\t' '$2 ~ /^FROM /' | wc -l)" -eq 1 ] ||
		problem "${single##*/}: must be the single-stage, registry-free build (one FROM scratch)"
	instructions "$multi" | awk -F'\t' '$2 ~ /^RUN .*make( .*)? static( |$)/ { f = 1 } END { exit !f }' ||
		problem "${multi##*/}: the build stage does not run 'make static'"
fi

if [ "$fail" -ne 0 ]; then
	echo "lint-dockerfiles: FAILED" >&2
	exit 1
fi
echo "lint-dockerfiles: OK"
