#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time: what `meson test --suite fuzz` runs.
#
#   run_fuzz.sh BINARY SECONDS [-FLAG=VALUE...] CORPUS_DIR...
#
# SECONDS is the default; PINGWIRE_FUZZ_SECONDS overrides it (e.g. 3600 for an hour per
# target). The corpus directories (missing ones are skipped) are read, never written: new inputs
# go to BINARY.work/new, a failing input to BINARY.work/ (crash-*, timeout-*, oom-*), with the
# line to keep it as a regression input. The run ends with libFuzzer's statistics (inputs
# tried, coverage); libFuzzer's seed is in its first lines (-seed=N replays the same run).
set -euo pipefail
bin=$1
seconds=${PINGWIRE_FUZZ_SECONDS:-$2}
shift 2
flags=()
dirs=()
for a in "$@"; do
  if [[ $a == -* ]]; then flags+=("$a"); elif [[ -d $a ]]; then dirs+=("$a"); fi
done
# UBSan stops at its first report, as in scripts/test (by default it reports and goes on).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
work=$bin.work
rm -rf "$work"
mkdir -p "$work/new"
target=$(basename "$bin")
# -error_exitcode: libFuzzer's default (77) reads as a skip to meson. -timeout: one input
# running 10 s is a hang. The outer timeout is a backstop should libFuzzer itself not stop.
rc=0
timeout --signal=INT --kill-after=30 $((seconds + 120)) \
  "$bin" -max_total_time="$seconds" -timeout=10 -error_exitcode=1 -timeout_exitcode=1 \
  -print_final_stats=1 -artifact_prefix="$work/" "${flags[@]}" "$work/new" "${dirs[@]}" || rc=$?
for f in "$work"/crash-* "$work"/timeout-* "$work"/oom-* "$work"/leak-*; do
  [[ -e $f ]] || continue
  echo "run_fuzz.sh: failing input $f; keep it as a regression input with:"
  echo "  cp $f tests/fuzz/corpus/$target/"
done
rm -rf "$work/new"
exit $rc
