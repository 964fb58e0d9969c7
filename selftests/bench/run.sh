#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the release preset and print the benchmark table: time per
# operation and x_syscall, the cost relative to a real ENOTTY ioctl
# measured in the same run; for copies also bytes/s and the ratio to
# memcpy(), for a BAR read the ratio to a plain load, both measured in
# the same run too. Extra arguments go to the benchmark binaries,
# e.g. --benchmark_filter=map_unmap or --benchmark_repetitions=5.
# UIOMMUFD_BENCH_BUILD overrides the build directory (default build/release).
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
build="${UIOMMUFD_BENCH_BUILD:-$root/build/release}"
out="${TMPDIR:-/tmp}/uiommufd-bench.$$.json"
trap 'rm -f "$out"' EXIT

cd "$root"
cmake --preset release -B "$build" >/dev/null
cmake --build "$build" --target iommufd_bench interposer_bench ioat_bench uiommufd -j 2

table() {

python3 - "$out" <<'PY'
import json, sys

data = json.load(open(sys.argv[1]))
ctx = data["context"]
print()
print("baseline: ENOTTY ioctl on an eventfd = %.1f ns; uiommufd build: %s"
      % (float(ctx.get("syscall_enotty_ns", "0")), ctx.get("uiommufd_build", "?")))
# Copies add their bandwidth and its ratio to memcpy(), register reads theirs to a load.
ratios = ("vs_memcpy", "vs_load")
extra = any(r in b for b in data["benchmarks"] for r in ratios)
print("%-46s %14s %10s" % ("benchmark", "time/op", "x syscall")
      + ("%12s %12s" % ("bytes/s", "ratio") if extra else ""))
for b in data["benchmarks"]:
    if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "mean":
        continue
    if "error_occurred" in b and b["error_occurred"]:
        print("%-46s %14s %10s" % (b["name"], "ERROR", "-"))
        continue
    unit = b.get("time_unit", "ns")
    line = "%-46s %11.3f %s %10.2f" % (b["name"], b["real_time"], unit.ljust(2),
                                      b.get("x_syscall", float("nan")))
    if extra:
        bps = b.get("bytes_per_second")
        ratio = [b[r] for r in ratios if r in b]
        line += "%12s %12s" % ("%.3g" % bps if bps else "-",
                               "%.4g" % ratio[0] if ratio else "-")
    print(line)
PY
}

# The core through its C API, then unmodified programs through the
# interposer, in-process (the default) and with --server: iommufd calls,
# and the I/OAT engine's DMA through the mock IOMMU.
"$build/selftests/bench/iommufd_bench" --benchmark_counters_tabular=true \
	--benchmark_out="$out" --benchmark_out_format=json "$@"
table
for prog in interposer_bench ioat_bench; do
	for mode in "" --server; do
		echo
		echo "== $prog under uiommufd run $mode"
		"$build/harness/cli/uiommufd" run $mode -- "$build/selftests/bench/$prog" \
			--benchmark_counters_tabular=true --benchmark_out="$out" \
			--benchmark_out_format=json "$@"
		table
	done
done
