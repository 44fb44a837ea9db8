#!/usr/bin/env bash
# Builds dermgan's core + CLI on a GPU server against its Python's CUDA LibTorch, checks CUDA against the
# CPU, trains, and leaves what should come back in $OUT. Prepare its inputs first, on a Debian 12 machine:
# packaging/device/prepare.sh (.device/: OpenCV and the other libraries, the training split as a zip).
#
#   packaging/device/run.sh [--dry-run] [--minutes 8] [--resolution 64] [--train "dermgan train options"]
#                           [--resume .device/resume/latest.dermgan]
#
# --dry-run  everything on this machine's CPU (Debian's LibTorch; the CUDA comparison is skipped): checks the
#            script, the carried prefix and the training zip before device time is spent on them.
# Steps, each timed in $OUT/run.log:
#   1. configure and build core + CLI (Qt off) with CMAKE_PREFIX_PATH = torch's + the unpacked prefix.tar.xz;
#   2. CUDA checks: the bundled ham64-cond renders the same 56 seed/class images on cuda as on cpu (max pixel
#      difference at most 2/255; the dry run compares with a one-thread CPU render instead), and the CUDA
#      device is what `dermgan train --dry-run --device cuda` resolves;
#   3. trains for --minutes (SIGINT then: dermgan snapshots and exits 130) on .device/data/train-R.zip;
#   4. copies back within the device's limits (8 files, 16 MiB each, 64 MiB in all): run.log, stats.jsonl and
#      the resumable latest.dermgan in parts of 15 MiB with its sha256, rejoined here by
#      `cat latest.dermgan.part-* > latest.dermgan && sha256sum -c latest.dermgan.sha256`; when the snapshot
#      is too large for that, the generator alone (dermgan export) and a grid of its images.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dry_run=0
minutes=8
resolution=64
train_options="--preset cpu"
resume=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=1; shift ;;
    --minutes) minutes="$2"; shift 2 ;;
    --resolution) resolution="$2"; shift 2 ;;
    --train) train_options="$2"; shift 2 ;;
    --resume) resume="$2"; shift 2 ;;
    *) echo "run.sh: unknown option $1 (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done
out="${OUT:-$root/.device/out}"
work="${DERMGAN_DEVICE_WORK:-/tmp/dermgan-device}"
prefix="$work/prefix"
zip="$root/.device/data/train-$resolution.zip"
mkdir -p "$out" "$work"
exec > >(tee -a "$out/run.log") 2>&1
[ -f "$root/.device/prefix.tar.xz" ] ||
  { echo "run.sh: .device/prefix.tar.xz is missing: run packaging/device/prepare.sh on the Debian machine, then carry .device" >&2; exit 3; }
[ -f "$zip" ] || { echo "run.sh: $zip is missing: run packaging/device/prepare.sh --resolution $resolution" >&2; exit 3; }
step() { echo; echo "== $(date -u +%H:%M:%S) $*"; }

if [ "$dry_run" = 1 ]; then
  device=cpu
  python=/usr/bin/python3
else
  device=cuda
  python=python3
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
fi
# Debian's LibTorch is found without help; a pip wheel's through torch.utils.cmake_prefix_path.
torch_prefix=""
if [ "$dry_run" = 0 ]; then
  torch_prefix="$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')"
  "$python" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())'
fi

step "1. build core + CLI (Qt off)"
rm -rf "$prefix" && mkdir -p "$prefix" && tar -C "$prefix" -xJf "$root/.device/prefix.tar.xz"
generator=("Unix Makefiles")
command -v ninja > /dev/null && generator=(Ninja)
start=$(date +%s)
cmake -S "$root" -B "$work/build" -G "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DDERMGAN_WITH_QT=OFF \
  -DDERMGAN_BUILD_TESTS=OFF -DDERMGAN_PCH=ON -DCMAKE_PREFIX_PATH="$torch_prefix;$prefix" > "$work/configure.log" ||
  { tail -30 "$work/configure.log"; exit 1; }
grep -E "LibTorch|Gloo|distributed" "$work/configure.log" || true
cmake --build "$work/build" --parallel "$(nproc)" --target dermgan > "$work/build.log" 2>&1 ||
  { grep -m5 -A5 "error" "$work/build.log"; exit 1; }
dermgan="$work/build/bin/dermgan"
echo "built in $(( $(date +%s) - start )) s: $("$dermgan" --version)"

step "2. CUDA checks"
model="$root/models/ham64-cond.dermgan"
rm -rf "$work/render-cpu" "$work/render-other"
"$dermgan" generate "$model" --device cpu --seeds 0-7 --class all --out "$work/render-cpu" > /dev/null
if [ "$dry_run" = 1 ]; then
  # No CUDA here: the comparison runs against a second CPU render on one thread, so that it is checked too.
  "$dermgan" --threads 1 generate "$model" --device cpu --seeds 0-7 --class all --out "$work/render-other" > /dev/null
else
  "$dermgan" train "$zip" --subset all --dry-run --device cuda --json | grep -E '"device"' || true
  "$dermgan" generate "$model" --device cuda --seeds 0-7 --class all --out "$work/render-other" > /dev/null
fi
# Compared in plain Python (zlib only: the device's Python need not have numpy or PIL).
"$python" - "$work/render-cpu" "$work/render-other" "$device" <<'EOF'
import glob, os, struct, sys, zlib

def pixels(path):
    """An 8-bit PNG's samples, row filters undone (PNG specification, section 9)."""
    data = open(path, "rb").read()
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride, out = zlib.decompress(idat), width * channels, bytearray()
    previous = bytearray(stride)
    for y in range(height):
        kind, row = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = row[x - channels] if x >= channels else 0
            b, c = previous[x], (previous[x - channels] if x >= channels else 0)
            if kind == 1:
                row[x] = (row[x] + a) & 255
            elif kind == 2:
                row[x] = (row[x] + b) & 255
            elif kind == 3:
                row[x] = (row[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[x] = (row[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out += row
        previous = row
    return out

cpu_dir, other_dir, other = sys.argv[1:]
names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(cpu_dir, "*.png")))
worst = max(max(abs(x - y) for x, y in zip(pixels(os.path.join(cpu_dir, n)), pixels(os.path.join(other_dir, n))))
            for n in names)
print(f"cpu vs {other}: {len(names)} images, max pixel difference {worst}/255")
sys.exit(0 if names and worst <= 2 else 1)
EOF

step "3. train $minutes min at ${resolution}x$resolution: $train_options"
run_dir="$work/train"
rm -rf "$run_dir"   # a fresh run, or one resumed from the --resume file (carried, e.g. in .device/resume)
resume_options=()
if [ -n "$resume" ]; then
  resume_options=(--resume "$resume")
fi
# shellcheck disable=SC2086  # the options are words on purpose
timeout -s INT "$(( minutes * 60 ))" "$dermgan" train "$zip" --subset all --resolution "$resolution" \
  --device "$device" --out "$run_dir" --kimg 100000 --snap 5 --tick 1 $train_options "${resume_options[@]}" &&
  status=0 || status=$?
[ "$status" = 0 ] || [ "$status" = 124 ] || [ "$status" = 130 ] || { echo "run.sh: training failed ($status)"; exit 1; }
tail -1 "$run_dir/stats.jsonl"

step "4. results into $out"
cp "$run_dir/stats.jsonl" "$out/"
# What comes back: at most 8 files of 16 MiB, 64 MiB in all. The resumable snapshot (G, D, G_ema and both
# optimisers: 60 MiB for the cpu preset at 64x64) comes back in 15 MiB parts when it fits beside run.log and
# stats.jsonl; export the generator and draw its grid here. Otherwise only the generator (G_ema) and a grid of
# its 8 seeds x every class return, and the run cannot be resumed in the next lease.
snapshot_bytes=$(stat -c %s "$run_dir/latest.dermgan")
part_bytes=$(( 15 * 1048576 ))
parts=$(( (snapshot_bytes + part_bytes - 1) / part_bytes ))
if [ $(( snapshot_bytes )) -le $(( 62 * 1048576 )) ] && [ $(( parts + 3 )) -le 8 ]; then
  (cd "$run_dir" && sha256sum latest.dermgan > "$out/latest.dermgan.sha256" &&
     split -b "$part_bytes" -d -a 1 latest.dermgan "$out/latest.dermgan.part-")
  echo "the resumable snapshot comes back in $parts parts"
else
  "$dermgan" export "$run_dir/latest.dermgan" --out "$out/generator.dermgan"
  "$dermgan" generate "$out/generator.dermgan" --device "$device" --seeds 0-7 --class all --grid 8 \
    --out "$work/grid" > /dev/null
  cp "$work/grid/grid.png" "$out/grid.png"
  echo "the snapshot ($(( snapshot_bytes / 1048576 )) MiB) is too large to come back: only its generator and grid return"
fi
ls -la "$out"
