#!/usr/bin/env bash
# The Debian package as a user installs it: cpack builds it from this build tree into a temporary folder, and
# its control fields, files and copyright are read back with dpkg-deb.
# usage: tests/test_package.sh BUILD_DIR
set -euo pipefail
build="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "test_package: $*" >&2; exit 1; }

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work" >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack failed"; }
deb="$(ls "$work"/*.deb)"

# Linked libraries come from dpkg-shlibdeps; what is loaded at run time must be named by hand.
depends="$(dpkg-deb -f "$deb" Depends)"
for needed in libtorch libopencv-imgcodecs libqt6widgets6 qt6-qpa-plugins libqt6svg6 libopenblas0; do
  grep -q "$needed" <<<"$depends" || fail "Depends lacks $needed: $depends"
done

contents="$(dpkg-deb -c "$deb")"
for path in ./usr/bin/dermgan ./usr/bin/dermgan-explorer ./usr/share/doc/dermgan/copyright \
            ./usr/share/dermgan/models/ham64-cond.dermgan ./usr/share/dermgan/models/derm-classifier-v2.dermnet \
            ./usr/share/dermgan/models/ham64-cond.calibration.json ./usr/share/dermgan/models/ham64-cond.calibration.npz \
            ./usr/share/dermgan/models/ham64-uncond.calibration.npz ./usr/share/dermgan/models/ham64-cond.map.features.npy \
            ./usr/share/applications/dermgan-explorer.desktop; do
  grep -q " $path\$" <<<"$contents" || fail "the package lacks $path"
done

copyright="$work/copyright"
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/doc/dermgan/copyright >"$copyright"
grep -q "^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" "$copyright" ||
  fail "the copyright file is not in Debian's machine-readable format"
grep -A2 "^Files: models/\*" "$copyright" | grep -q "HAM10000" || fail "the copyright file does not credit HAM10000 for the models"
grep -A3 "^Files: models/\*" "$copyright" | grep -q "^License: CC-BY-NC-4.0" ||
  fail "the copyright file does not give the models' CC BY-NC 4.0 licence"
echo "test_package: PASS ($(basename "$deb"); Depends: $depends)"
