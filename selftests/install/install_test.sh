#!/usr/bin/env bash
# Installs a build tree into a scratch prefix and builds a program outside
# the tree against it twice, with find_package() and with pkg-config, then
# runs both, and `uiommufd platform` from the installed tree.
#   install_test.sh BUILD_DIR SCRATCH_DIR
set -euo pipefail

build=$1
scratch=$2
here=$(cd "$(dirname "$0")" && pwd)
prefix=$scratch/prefix

rm -rf "$scratch"
mkdir -p "$scratch"
cmake --install "$build" --prefix "$prefix" >"$scratch/install.log"

echo "== find_package(uiommufd)"
cmake -S "$here/consumer" -B "$scratch/cmake-build" -G Ninja \
	-DCMAKE_PREFIX_PATH="$prefix" >"$scratch/configure.log"
cmake --build "$scratch/cmake-build" >"$scratch/build.log"
"$scratch/cmake-build/consumer"

echo "== pkg-config uiommufd"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
# shellcheck disable=SC2046
cc -Wall -Werror -o "$scratch/consumer-pc" "$here/consumer/consumer.c" \
	$(pkg-config --cflags --libs uiommufd) -Wl,-rpath,"$prefix/lib"
"$scratch/consumer-pc"

echo "== installed uiommufd"
"$prefix/bin/uiommufd" platform default
"$prefix/bin/uiommufd" run -- cat /sys/bus/pci/devices/0000:00:03.0/device
