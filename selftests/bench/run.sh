#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the release preset and print the benchmark table: time per
# operation and x_syscall, the cost relative to a real ENOTTY ioctl
# measured in the same run. Extra arguments go to the benchmark binary,
# e.g. --benchmark_filter=map_unmap or --benchmark_repetitions=5.
# UIOMMUFD_BENCH_BUILD overrides the build directory (default build/release).
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
build="${UIOMMUFD_BENCH_BUILD:-$root/build/release}"
out="${TMPDIR:-/tmp}/uiommufd-bench.$$.json"
trap 'rm -f "$out"' EXIT

cd "$root"
cmake --preset release -B "$build" >/dev/null
cmake --build "$build" --target iommufd_bench interposer_bench uiommufd -j 2

table() {

python3 - "$out" <<'PY'
import json, sys

data = json.load(open(sys.argv[1]))
ctx = data["context"]
print()
print("baseline: ENOTTY ioctl on an eventfd = %.1f ns; uiommufd build: %s"
      % (float(ctx.get("syscall_enotty_ns", "0")), ctx.get("uiommufd_build", "?")))
print("%-46s %14s %10s" % ("benchmark", "time/op", "x syscall"))
for b in data["benchmarks"]:
    if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "mean":
        continue
    if "error_occurred" in b and b["error_occurred"]:
        print("%-46s %14s %10s" % (b["name"], "ERROR", "-"))
        continue
    unit = b.get("time_unit", "ns")
    print("%-46s %11.3f %s %10.2f" % (b["name"], b["real_time"], unit.ljust(2),
                                     b.get("x_syscall", float("nan"))))
PY
}

# The core through its C API, then an unmodified program through the
# interposer: in-process (the default) and with --server.
"$build/selftests/bench/iommufd_bench" --benchmark_counters_tabular=true \
	--benchmark_out="$out" --benchmark_out_format=json "$@"
table
for mode in "" --server; do
	echo
	echo "== interposer_bench under uiommufd run $mode"
	"$build/harness/cli/uiommufd" run $mode -- "$build/selftests/bench/interposer_bench" \
		--benchmark_counters_tabular=true --benchmark_out="$out" \
		--benchmark_out_format=json "$@"
	table
done
