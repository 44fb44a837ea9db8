#!/usr/bin/env bash
# Installs everything dermgan needs to build, test and run on Debian 12, from Debian's packages only.
# Non-interactive and idempotent: packages already present are not touched, and nothing is downloaded
# when all of them are there. Uses sudo when not run as root.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libtorch-dev libopenblas0-openmp        # LibTorch (CPU) + a fast BLAS; without it matmul is ~15x slower
  libopencv-dev libeigen3-dev zlib1g-dev libjpeg62-turbo-dev libzip-dev
  libhnswlib-dev nlohmann-json3-dev libcli11-dev
  libgloo-dev                             # headers of c10d's Gloo backend
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-qpa-plugins libqt6svg6
  fonts-dejavu-core
  xvfb xauth                              # screenshots and GUI runs without a display
  python3-numpy python3-scipy             # reference computations the metric tests compare against
  clang libclang-rt-14-dev                # the sanitizer job: ASan, UBSan, libFuzzer (tests/fuzz/run.sh)
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
