#!/usr/bin/env bash
# Prepares, on this Debian 12 machine, what a bare GPU server needs to build and train dermgan: the GPU
# server (a CUDA image with PyTorch, CMake and ninja, no registry, no Qt, no OpenCV) gets it all as one
# folder, .device/ in the repository root (ignored by git), that travels with the working tree.
#
#   packaging/device/prepare.sh [--resolution 64 ...] [--jpeg-quality 95]
#
# Everything that travels, the working tree included, must stay under the device's 64 MiB (about 31 MiB of
# it is the repository): so the prefix travels as one .tar.xz and the images as JPEG.
# .device/prefix.tar.xz  the libraries core + CLI need beyond LibTorch (about 4.5 MiB; 41 MiB unpacked):
#                 - OpenCV 4.6 (Debian's source) built static with only core, imgproc and imgcodecs (PNG and
#                   JPEG): Debian's shared OpenCV pulls in ~140 libraries (GDAL, FFmpeg, Qt 5, ...);
#                 - the header-only Eigen, nlohmann-json, CLI11 and hnswlib with their CMake packages;
#                 - libzip, libjpeg, libpng, zlib and libbz2 as shared libraries with their headers.
# .device/data    the lesion-grouped training split at each --resolution as a StyleGAN2-ADA zip (dermgan
#                 dataset export) of JPEGs without chroma subsampling (--jpeg-quality, default 95: at 64x64,
#                 16 MiB and a mean error of 1.26/255 against the PNGs' 48 MiB; 0 = PNG). HAM10000 itself
#                 never travels.
#
# Slow steps are cached in $DERMGAN_DEVICE_CACHE (default: ../dermgan-device-cache beside the checkout):
# the OpenCV source (apt-get source, from deb.debian.org) and its build (about 10 min on 2 cores, once).
# Then packaging/device/run.sh builds, checks and trains there; `run.sh --dry-run` does it all here on the CPU.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${DERMGAN_DEVICE_CACHE:-$root/../dermgan-device-cache}"
data="${DERMGAN_HAM10000:-$root/../shared/data/ham10000}"
dermgan="${DERMGAN_CLI:-$root/build/bin/dermgan}"
resolutions=()
jpeg_quality=95
while [ $# -gt 0 ]; do
  case "$1" in
    --resolution) resolutions+=("$2"); shift 2 ;;
    --jpeg-quality) jpeg_quality="$2"; shift 2 ;;
    *) echo "prepare.sh: unknown option $1 (expected --resolution N, --jpeg-quality Q)" >&2; exit 2 ;;
  esac
done
[ ${#resolutions[@]} -gt 0 ] || resolutions=(64)
out="$root/.device"
prefix="$cache/prefix"
multiarch="$(gcc -print-multiarch)"
mkdir -p "$cache"
grep -qx '/.device/' "$root/.git/info/exclude" 2>/dev/null || echo '/.device/' >> "$root/.git/info/exclude"

# --- OpenCV: Debian's 4.6 source, static, three modules ---------------------------------------------------
opencv_prefix="$cache/opencv-4.6-static"
if [ ! -f "$opencv_prefix/lib/libopencv_core.a" ]; then
  if [ ! -d "$cache/src/opencv-4.6.0" ]; then
    # A deb-src list of our own, so that the machine's apt configuration stays as it is.
    apt_dir="$cache/apt"
    mkdir -p "$apt_dir/lists/partial" "$cache/src"
    echo "deb-src http://deb.debian.org/debian bookworm main" > "$apt_dir/sources.list"
    apt_options=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/nonexistent
                 -o "Dir::State::Lists=$apt_dir/lists")
    apt-get "${apt_options[@]}" update
    (cd "$cache/src" && apt-get "${apt_options[@]}" source --download-only opencv=4.6.0+dfsg-12 &&
       tar xf opencv_4.6.0+dfsg.orig.tar.xz)
  fi
  # Baseline SSE3 and no dispatched variants: one compile per file, code that runs on any x86-64 server.
  cmake -S "$cache/src/opencv-4.6.0" -B "$cache/opencv-build" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$opencv_prefix" -DBUILD_SHARED_LIBS=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
    -DBUILD_LIST=core,imgproc,imgcodecs -DCPU_DISPATCH= \
    -DWITH_PNG=ON -DWITH_JPEG=ON -DBUILD_PNG=OFF -DBUILD_JPEG=OFF -DBUILD_ZLIB=OFF \
    -DWITH_TIFF=OFF -DWITH_WEBP=OFF -DWITH_OPENJPEG=OFF -DWITH_JASPER=OFF -DWITH_OPENEXR=OFF -DWITH_GDAL=OFF \
    -DWITH_GDCM=OFF -DWITH_IMGCODEC_HDR=OFF -DWITH_IMGCODEC_SUNRASTER=OFF -DWITH_IMGCODEC_PXM=OFF \
    -DWITH_IMGCODEC_PFM=OFF -DWITH_IPP=OFF -DWITH_ITT=OFF -DWITH_OPENCL=OFF -DWITH_LAPACK=OFF -DWITH_EIGEN=OFF \
    -DWITH_PROTOBUF=OFF -DWITH_TBB=OFF -DWITH_OPENMP=OFF -DWITH_ADE=OFF -DWITH_VA=OFF -DWITH_QUIRC=OFF \
    -DBUILD_TESTS=OFF -DBUILD_PERF_TESTS=OFF -DBUILD_EXAMPLES=OFF -DBUILD_opencv_apps=OFF -DBUILD_DOCS=OFF \
    -DBUILD_JAVA=OFF -DBUILD_opencv_python3=OFF -DOPENCV_GENERATE_PKGCONFIG=OFF
  cmake --build "$cache/opencv-build" --parallel "$(nproc)"
  cmake --install "$cache/opencv-build"
fi

# --- the prefix that travels ------------------------------------------------------------------------------
rm -rf "$prefix"
mkdir -p "$prefix/lib" "$prefix/include" "$prefix/share"
cp -a "$opencv_prefix/." "$prefix/"
rm -rf "$prefix/share/opencv4"   # face-detection cascades (10 MiB) that dermgan never reads
# The static OpenCV's CMake package names this machine's libpng/libjpeg/zlib by absolute path: point those
# at the copies beside it, which is where they are on the server.
sed -i -E "s#/usr/lib/$multiarch/(lib(png16?|jpeg|z)\.so)#\${_IMPORT_PREFIX}/lib/\1#g" \
  "$prefix"/lib/cmake/opencv4/OpenCVModules*.cmake
for library in libzip.so.4 libjpeg.so.62 libpng16.so.16 libz.so.1 libbz2.so.1.0; do
  cp -L "/usr/lib/$multiarch/$library" "$prefix/lib/" 2>/dev/null || cp -L "/lib/$multiarch/$library" "$prefix/lib/"
done
(cd "$prefix/lib" && ln -sf libzip.so.4 libzip.so && ln -sf libjpeg.so.62 libjpeg.so && ln -sf libpng16.so.16 libpng16.so &&
   ln -sf libpng16.so libpng.so && ln -sf libz.so.1 libz.so)
cp -a /usr/include/zip.h /usr/include/zipconf.h /usr/include/zlib.h /usr/include/zconf.h \
  /usr/include/jpeglib.h /usr/include/jmorecfg.h /usr/include/jerror.h "/usr/include/$multiarch/jconfig.h" \
  /usr/include/png.h /usr/include/pngconf.h /usr/include/pnglibconf.h \
  /usr/include/eigen3 /usr/include/nlohmann /usr/include/CLI /usr/include/hnswlib "$prefix/include/"
mkdir -p "$prefix/share/eigen3" "$prefix/lib/pkgconfig"
cp -a /usr/share/eigen3/cmake "$prefix/share/eigen3/"
cp -a /usr/share/cmake "$prefix/share/"     # nlohmann_json and CLI11 (relative to their prefix)
sed -e "s#^prefix=.*#prefix=\${pcfiledir}/../..#" -e "s#^libdir=.*#libdir=\${prefix}/lib#" \
  -e "s#^includedir=.*#includedir=\${prefix}/include#" "/usr/lib/$multiarch/pkgconfig/libzip.pc" \
  > "$prefix/lib/pkgconfig/libzip.pc"

mkdir -p "$out"
tar -C "$prefix" -cf - . | xz -T0 -6 > "$out/prefix.tar.xz.tmp"
mv "$out/prefix.tar.xz.tmp" "$out/prefix.tar.xz"

# --- the training split ---------------------------------------------------------------------------------------
mkdir -p "$out/data"
for resolution in "${resolutions[@]}"; do
  zip="$out/data/train-$resolution.zip"
  [ -f "$zip" ] || "$dermgan" dataset export "$data" --subset train --resolution "$resolution" \
    --jpeg-quality "$jpeg_quality" --out "$zip"
done
du -sh "$out/prefix.tar.xz" "$out/data"/*

# --- what travels: the working tree (tracked and untracked files git does not ignore) and .device ---------------
tree_bytes=$(cd "$root" && git ls-files -z --cached --others --exclude-standard | du -cb --files0-from=- | tail -1 | cut -f1)
device_bytes=$(du -sb "$out" | cut -f1)
total_mib=$(( (tree_bytes + device_bytes) / 1048576 ))
echo "prepare.sh: the working tree ($(( tree_bytes / 1048576 )) MiB) and .device ($(( device_bytes / 1048576 )) MiB) make" \
     "$total_mib MiB of the 64 MiB that may travel (carry .device)"
[ "$total_mib" -lt 63 ] || { echo "prepare.sh: too large to travel ($total_mib MiB): lower --jpeg-quality or carry one resolution" >&2; exit 1; }
