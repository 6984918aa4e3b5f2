#!/bin/sh
# run.sh - run one libFuzzer target and print one summary line.
#
#   run.sh replay TARGET BIN            replay corpus + regress, no fuzzing
#   run.sh fuzz   TARGET BIN SECONDS    fuzz for SECONDS, new inputs go to
#                                       $FUZZ_SCRATCH/TARGET (not the repo)
#
# Environment (set by tests/fuzz/fuzz.mk): FUZZ_DIR (tests/fuzz),
# FUZZ_BUILD (build/fuzz), FUZZ_SCRATCH, FUZZ_MAX_LEN, FUZZ_DICT,
# FUZZ_ARGS (extra libFuzzer flags).  The full libFuzzer output is kept in
# $FUZZ_BUILD/logs/TARGET.MODE.log; on failure its tail is shown and the
# crashing input is in $FUZZ_BUILD/artifacts/TARGET/.
set -u

mode=$1 t=$2 bin=$3 secs=${4:-0}
dir=${FUZZ_DIR:-tests/fuzz}
build=${FUZZ_BUILD:-build/fuzz}
scratch=${FUZZ_SCRATCH:-$build/scratch}/$t
log=$build/logs/$t.$mode.log
art=$build/artifacts/$t/
mkdir -p "$build/logs" "$art" "$scratch"

# Corpus directories that exist (libFuzzer refuses missing ones).
dirs=
for d in "$dir/corpus/$t" "$dir/regress/$t"; do
	[ -d "$d" ] && dirs="$dirs $d"
done
dict=
[ -n "${FUZZ_DICT:-}" ] && [ -f "$FUZZ_DICT" ] && dict="-dict=$FUZZ_DICT"

start=$(date +%s)
case $mode in
replay)
	# -runs=0: execute every input once and stop.  A generous max_len
	# so that no stored input is cut short.
	# shellcheck disable=SC2086
	"$bin" -runs=0 -max_len=1048576 -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$art" ${FUZZ_ARGS:-} \
	    $dirs >"$log" 2>&1
	rc=$?
	;;
fuzz)
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$secs" -max_len="${FUZZ_MAX_LEN:-4096}" \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$art" $dict ${FUZZ_ARGS:-} \
	    "$scratch" $dirs >"$log" 2>&1
	rc=$?
	;;
*)
	echo "usage: $0 replay|fuzz TARGET BIN [SECONDS]" >&2
	exit 2
	;;
esac
end=$(date +%s)

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | sed 's/cov: //')
ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | sed 's/ft: //')
corp=$(grep -o 'corp: [0-9]*' "$log" | tail -n 1 | sed 's/corp: //')
info="$mode execs=${execs:-?} cov=${cov:-?} ft=${ft:-?} corp=${corp:-?} time=$((end - start))s"
if [ "$rc" -eq 0 ]; then
	echo "fuzz-$t: OK ($info)"
	exit 0
fi
echo "fuzz-$t: FAIL ($info, exit $rc; log $log)"
grep -E 'ERROR: |SUMMARY: |property violated|Test unit written to|^(==[0-9]+==|    #[0-9])' "$log" | head -n 40
echo "  minimise: $bin -minimize_crash=1 -max_total_time=60 -exact_artifact_path=$dir/regress/$t/NAME <artifact>"
exit 1
