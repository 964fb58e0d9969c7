#!/usr/bin/env bash
# Installs what uiommufd needs to build and test, from Debian packages, and
# unpacks the parts of Debian's kernel source the tests use (kunit.py for
# checking our KTAP, the iommu selftests for `uiommufd kselftest`).
# Idempotent: a second run on a set-up machine does no network access.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
pkgs=(build-essential cmake ninja-build pkg-config g++ clang libclang-rt-14-dev python3
      googletest libgtest-dev libgmock-dev libbenchmark-dev
      liburing-dev libxxhash-dev libcap-dev nlohmann-json3-dev uuid-dev xz-utils patch
      linux-source-6.12)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if ((${#missing[@]})); then
	echo "setup: installing ${missing[*]}"
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -q
	$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# A kernel tree for the tests that need one, outside the sources.
tree="$top/build/linux-source-6.12"
if [ ! -e "$tree/.uiommufd-extracted" ]; then
	tarball=$(ls /usr/src/linux-source-6.12*.tar.xz 2>/dev/null | head -n1 || true)
	if [ -n "$tarball" ]; then
		echo "setup: unpacking kunit.py and iommu selftests from $tarball"
		mkdir -p "$top/build"
		tar -xJf "$tarball" -C "$top/build" \
			linux-source-6.12/tools/testing/kunit \
			linux-source-6.12/tools/testing/selftests/iommu \
			linux-source-6.12/tools/testing/selftests/kselftest_harness.h \
			linux-source-6.12/tools/testing/selftests/kselftest.h \
			linux-source-6.12/drivers/iommu/iommufd/iommufd_test.h \
			linux-source-6.12/include/uapi/linux/iommufd.h
		touch "$tree/.uiommufd-extracted"
	fi
fi
