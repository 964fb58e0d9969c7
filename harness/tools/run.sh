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
	# The threaded primitives once more under ThreadSanitizer (clang),
	# before the full run so that its summary is the last word. The
	# racing-threads suite runs under ASan in the full run; under TSan it
	# still reports one free/lock ordering now and then (testing.md).
	cmake --preset tsan -DUIOMMUFD_WERROR=ON >/dev/null
	cmake --build --preset tsan --target harness_kunit
	ctest --preset tsan -R '^harness_kunit$'
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
