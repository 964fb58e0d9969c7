#!/usr/bin/env bash
# One fuzz target for a bounded time: run_fuzz.sh TARGET CORPUS_DIR SEED_DIR SECONDS
# (SEED_DIR "-": none)
# The corpus grows across runs in the build directory; the seeds are read only.
# Prints libFuzzer's last status line (executions, coverage, corpus) and
# exits non-zero on a crash, with the reproducer's path on stderr.
set -euo pipefail

target=$1
corpus=$2
seeds=$3
seconds=$4

mkdir -p "$corpus"
dirs=("$corpus")
if [ "$seeds" != - ] && [ -d "$seeds" ]; then dirs+=("$seeds"); fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
# A fixed seed unless told otherwise: CI runs the same search each time.
"$target" -seed="${UIOMMUFD_FUZZ_SEED:-1}" -max_total_time="$seconds" -print_final_stats=1 \
	-artifact_prefix="$corpus/../" \
	-rss_limit_mb=4096 -timeout=30 "${dirs[@]}" >"$log" 2>&1
rc=$?
set -e
grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -n 1 || true
grep -E '^stat::(number_of_executed_units|peak_rss_mb|new_units_added)' "$log" || true
if [ "$rc" -ne 0 ]; then
	tail -n 60 "$log" >&2
	exit "$rc"
fi
