#!/usr/bin/env bash
# Builds the DEB and TGZ packages from a finished build tree, checks what they hold, installs each into
# a scratch root and runs the installed programs from there.
#   packaging/tests/check-packages.sh BUILD_DIR
set -euo pipefail
build=$(realpath "$1")
work=$(mktemp -d)
cleanup() {
  for pid in ${gui_pid:-} ${xvfb_pid:-}; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== cpack (DEB, TGZ) into $work"
(cd "$build" && cpack --config CPackConfig.cmake -G "DEB;TGZ" -B "$work/out" >"$work/cpack.log" 2>&1) \
  || { cat "$work/cpack.log"; fail "cpack failed"; }
deb=$(ls "$work"/out/fireside_*.deb)
tgz=$(ls "$work"/out/fireside-*.tar.gz)
echo "built: $(basename "$deb") $(basename "$tgz")"

expected=(
  usr/bin/fireside
  usr/bin/fireside-cli
  usr/share/applications/org.fireside.Fireside.desktop
  usr/share/metainfo/org.fireside.Fireside.metainfo.xml
  usr/share/mime/packages/fireside.xml
  usr/share/icons/hicolor/scalable/apps/fireside.svg
  usr/share/icons/hicolor/16x16/apps/fireside.png
  usr/share/icons/hicolor/48x48/apps/fireside.png
  usr/share/icons/hicolor/256x256/apps/fireside.png
  usr/share/icons/hicolor/512x512/apps/fireside.png
  usr/share/doc/fireside/copyright
)
dpkg-deb -c "$deb" >"$work/deb-list"
for f in "${expected[@]}"; do
  grep -q " \./$f\$" "$work/deb-list" || fail "the DEB lacks $f"
done
echo "DEB lists all ${#expected[@]} expected files"

depends=$(dpkg-deb -f "$deb" Depends)
for dep in libqt6core6 libqt6quick6 libfmt9 libvulkan1 qml6-module-qtquick-controls; do
  grep -q "$dep" <<<"$depends" || fail "the DEB's Depends lacks $dep: $depends"
done
echo "DEB depends on Qt, fmt and Vulkan (computed by dpkg-shlibdeps plus the run-time modules)"

tar -tzf "$tgz" >"$work/tgz-list"
for f in bin/fireside bin/fireside-cli share/applications/org.fireside.Fireside.desktop; do
  grep -q "/$f\$" "$work/tgz-list" || fail "the TGZ lacks $f"
done
echo "TGZ holds the binaries and the desktop entry"

root="$work/root"
dpkg-deb -x "$deb" "$root"
version=$("$root/usr/bin/fireside-cli" --version)
[ "$version" = "fireside-cli $(dpkg-deb -f "$deb" Version)" ] || fail "installed fireside-cli printed '$version'"
echo "installed fireside-cli --version: $version"
desktop-file-validate "$root/usr/share/applications/org.fireside.Fireside.desktop"
appstreamcli validate --no-net "$root/usr/share/metainfo/org.fireside.Fireside.metainfo.xml" >/dev/null \
  || fail "metainfo does not validate"

mkdir -p "$work/tgzroot" && tar -xzf "$tgz" -C "$work/tgzroot"
"$(ls -d "$work"/tgzroot/*/)bin/fireside-cli" --version >/dev/null || fail "fireside-cli from the TGZ does not run"

# The installed GUI under a virtual X server: it must come up with a window and keep running.
display=":$((100 + RANDOM % 400))"
Xvfb "$display" -screen 0 1024x768x24 >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
sleep 1
# The suite runs Qt offscreen; this check is about a real window on the X server.
DISPLAY=$display QT_QPA_PLATFORM=xcb XDG_RUNTIME_DIR="$work" HOME="$work" "$root/usr/bin/fireside" >"$work/gui.log" 2>&1 &
gui_pid=$!
for _ in $(seq 1 150); do # up to 30 s on a busy machine
  if DISPLAY=$display xwininfo -root -tree 2>/dev/null | grep -q '"Fireside"'; then break; fi
  sleep 0.2
done
kill -0 "$gui_pid" 2>/dev/null || { cat "$work/gui.log"; fail "the installed fireside exited"; }
DISPLAY=$display xwininfo -root -tree | grep -q '"Fireside"' || { cat "$work/gui.log"; fail "no Fireside window"; }
echo "installed fireside shows its window under Xvfb"
echo "packaging checks passed"
