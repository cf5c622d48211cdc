#!/usr/bin/env bash
# Configures the project with one dependency hidden at a time and checks that configuration stops with
# a message naming the Debian package to install.
#   tests/build/check-missing-dependencies.sh SOURCE_DIR
set -uo pipefail
src=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

expect_missing() { # description, expected package, cmake arguments...
  local what=$1 package=$2
  shift 2
  local log="$work/$RANDOM.log"
  if cmake -S "$src" -B "$work/build-$RANDOM" -G Ninja -DFIRESIDE_BUILD_TESTS=OFF "$@" >"$log" 2>&1; then
    echo "FAIL: configuring without $what succeeded"
    failures=$((failures + 1))
  elif ! grep -q "apt-get install $package" "$log"; then
    echo "FAIL: configuring without $what did not name the package '$package':"
    cat "$log"
    failures=$((failures + 1))
  else
    echo "ok: without $what, configuration stops and names $package"
  fi
}

expect_missing fmt libfmt-dev -DCMAKE_DISABLE_FIND_PACKAGE_fmt=TRUE
expect_missing "the Vulkan headers" libvulkan-dev -DCMAKE_DISABLE_FIND_PACKAGE_Vulkan=TRUE
expect_missing glslangValidator glslang-tools -DGLSLANG_VALIDATOR=/nonexistent/glslangValidator
expect_missing "Qt 6" qt6-base-dev -DCMAKE_DISABLE_FIND_PACKAGE_Qt6=TRUE

echo "$((4 - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
