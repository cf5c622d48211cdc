#!/usr/bin/env bash
# Installs Fireside's dependencies (Debian 12), builds it and starts the desktop app.
#   scripts/run.sh [MODEL]      MODEL: a GGML v3 .bin or GGUF file to open at start
# Idempotent: a second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> Installing dependencies (scripts/setup-deps.sh)"
bash scripts/setup-deps.sh

echo "==> Configuring (CMake preset 'release')"
cmake --preset release >/dev/null

echo "==> Building fireside and fireside-cli"
cmake --build --preset release --target fireside fireside-cli

args=()
if [ $# -gt 0 ]; then args+=("$(realpath "$1")"); fi
echo "==> Starting build/release/bin/fireside ${args[*]:-}"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "$(uname)" = "Linux" ]; then
  echo "    (no display found: starting inside a virtual X server with xvfb-run)"
  exec xvfb-run -a -s "-screen 0 1280x800x24" build/release/bin/fireside "${args[@]}"
fi
exec build/release/bin/fireside "${args[@]}"
