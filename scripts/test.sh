#!/usr/bin/env bash
# Installs Fireside's dependencies (Debian 12), builds everything and runs the whole test suite:
#   1. the engine and readers under AddressSanitizer + UndefinedBehaviorSanitizer (clang), with the
#      libFuzzer targets run for a fixed number of executions;
#   2. the arm64 NEON kernels, cross-compiled and checked against the scalar reference under qemu;
#   3. the full suite (engine, CLI, Vulkan on Mesa's lavapipe, UI offscreen) in a release build with
#      warnings as errors.
# Idempotent; the output ends with CTest's summary of the full suite.
set -uo pipefail
cd "$(dirname "$0")/.."

export QT_QPA_PLATFORM=offscreen
# Mesa's software Vulkan driver, so the Vulkan tests run for real without a GPU.
export VK_DRIVER_FILES=/usr/share/vulkan/icd.d/lvp_icd.x86_64.json
export VK_ICD_FILENAMES=$VK_DRIVER_FILES
jobs=$(nproc)

echo "==> Installing dependencies (scripts/setup-deps.sh)"
bash scripts/setup-deps.sh || exit 1

echo "==> Sanitizer build (CMake preset 'asan')"
cmake --preset asan >/dev/null || exit 1
cmake --build --preset asan -j "$jobs" || exit 1
echo "==> Sanitizer tests: engine, CLI and fuzz targets"
ctest --preset asan -j "$jobs" -L 'engine|app|fuzz'
asan_status=$?

echo "==> arm64 NEON kernels: cross build, tests under qemu-aarch64 (CMake preset 'arm64-kernels')"
cmake --preset arm64-kernels >/dev/null || exit 1
cmake --build --preset arm64-kernels -j "$jobs" || exit 1
ctest --preset arm64-kernels
arm64_status=$?

echo "==> Release build with warnings as errors (CMake preset 'ci')"
cmake --preset ci >/dev/null || exit 1
cmake --build --preset ci -j "$jobs" || exit 1
echo "==> Full test suite"
ctest --preset ci -j "$jobs"
status=$?

if [ $asan_status -ne 0 ]; then
  echo "The sanitizer run failed (see above)."
  exit $asan_status
fi
if [ $arm64_status -ne 0 ]; then
  echo "The arm64 kernel tests failed (see above)."
  exit $arm64_status
fi
exit $status
