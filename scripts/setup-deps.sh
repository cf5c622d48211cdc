#!/usr/bin/env bash
# Installs every build, test and packaging dependency of Fireside from Debian 12 packages.
# Idempotent: packages already present are left alone, so a second run only checks.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang libclang-rt-14-dev clang-format
  # engine
  libfmt-dev
  # Vulkan: loader, headers, shader compiler, software driver and validation layer for tests
  libvulkan-dev vulkan-tools glslang-tools spirv-tools mesa-vulkan-drivers vulkan-validationlayers
  # Qt 6 (Core, Gui, Widgets, Quick, QuickControls2, Test, QuickTest, Svg, Concurrent)
  qt6-base-dev qt6-base-dev-tools qt6-declarative-dev qt6-declarative-dev-tools qt6-svg-dev
  libgl-dev libglx-dev libegl-dev libxkbcommon-dev
  qt6-qpa-plugins qt6-wayland
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
  qml6-module-qtquick-window qml6-module-qtquick-dialogs qml6-module-qtquick-templates
  qml6-module-qtqml-workerscript qml6-module-qttest qml6-module-qtqml qml6-module-qtqml-models
  qml6-module-qt-labs-platform qml6-module-qtquick-shapes qml6-module-qt-labs-settings
  # GUI checks and screenshots
  xvfb xauth x11-apps x11-utils imagemagick librsvg2-bin
  # packaging
  dpkg-dev file fakeroot desktop-file-utils appstream
  # arm64 NEON kernels: cross compiler, and qemu's user-mode emulator to run the kernel test
  g++-aarch64-linux-gnu qemu-user
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-deps: all ${#PACKAGES[@]} Debian packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup-deps: installing ${#missing[@]} Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "setup-deps: done"
