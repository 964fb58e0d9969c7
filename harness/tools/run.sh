#!/usr/bin/env bash
# The two entry points README documents:
#   run.sh main   set up, build (ASan+UBSan), run the project's selftests, summary
#   run.sh all    set up, build, run every test CTest knows (+ TSan harness run)
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
mode=${1:-main}

bash harness/tools/setup.sh
export UIOMMUFD_KERNEL_TREE="$top/build/linux-source-6.12"
cmake --preset default -DUIOMMUFD_WERROR=ON >/dev/null
cmake --build --preset default

case "$mode" in
main)
	ctest --preset default -L selftest
	;;
all)
	# The threaded primitives and the racing threads once more under
	# ThreadSanitizer (clang), before the full run so that its summary is
	# the last word.
	cmake --preset tsan -DUIOMMUFD_WERROR=ON >/dev/null
	cmake --build --preset tsan --target harness_kunit iommufd_race
	ctest --preset tsan -R '^(harness_kunit|iommufd_race)$'
	# Every fuzz target for a bounded time (clang, libFuzzer, ASan, UBSan).
	cmake --preset fuzz -DUIOMMUFD_WERROR=ON >/dev/null
	cmake --build --preset fuzz
	ctest --preset fuzz
	ctest --preset default
	;;
*)
	echo "usage: $0 main|all" >&2
	exit 2
	;;
esac
