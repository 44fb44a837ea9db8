#!/usr/bin/env python3
"""Training-quality parity: dermgan's trainer against the reference StyleGAN2-ADA on the same pixels.

Both train the same architecture with the same hyperparameters (reference_train.py lists the three places
where the reference is adapted to dermgan's CPU setting) on one StyleGAN2-ADA zip written once by
`dermgan dataset export` from the lesion-grouped training split, for the same seeds. Every --snap kimg both
write a snapshot; each is scored by `dermgan metrics` against the *validation* split (the reference's
pickles imported with `dermgan import-stylegan2`), so selection never touches the test split. Prints, per
kimg, FID-derm / precision / recall and training seconds for each side (mean and range over seeds), then
quality at equal training time. Run it with Debian's python3 (python3-torch, python3-pil, python3-click: the reference's legacy.py imports click). Training seconds are kimg x the run's median sec/kimg, so a run paused by
other work on the machine is not charged for the pause. Everything lands in --out and a rerun resumes:
finished trainings and scored snapshots are not repeated.

usage: /usr/bin/python3 tests/benchmarks/bench_parity.py --reference PATH [--dermgan build/bin/dermgan]
                       [--data ../shared/data/ham10000] [--resolution 32] [--kimg 40] [--snap 5] [--seeds 0,1] [--threads 2] [--out runs/parity]
                       [--ada-kimg 100] [--only dermgan|reference]
"""
import argparse
import glob
import json
import os
import platform
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# dermgan sets these with mallopt at start (core/common/runtime.cpp); the reference gets the same through
# glibc's environment tunables, so neither side is slowed by the allocator returning memory to the system.
ALLOCATOR = {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(1 << 30),
             "MALLOC_TOP_PAD_": str(64 << 20)}


def run(command, log=None, env=None):
    print("$ " + " ".join(command), flush=True)
    with open(log, "a") if log else open(os.devnull, "w") as sink:
        result = subprocess.run(command, stdout=subprocess.PIPE if log is None else sink,
                                stderr=sink if log else None, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"bench_parity: {command[0]} failed with exit code {result.returncode}" + (f"; see {log}" if log else ""))
    return result.stdout


def cpu_description():
    flags = set()
    model = platform.processor()
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    isa = [name for name in ("avx512f", "avx512_bf16", "avx512_vnni", "amx_tile", "avx2", "fma") if name in flags]
    return f"{model}; {os.cpu_count()} logical cores; {' '.join(isa) or 'no AVX'}"


def snapshot_kimg(path):
    """kimg of snapshot-000050.dermgan (50) or snapshot-000000.100.dermgan (0.1): names do not sort by it."""
    return float(os.path.basename(path)[len("snapshot-"):-len(".dermgan")])


def median_rate(stats_file, key="sec_per_kimg"):
    rates = []
    with open(stats_file) as lines:
        for line in lines:
            value = json.loads(line).get(key, 0)
            if value > 0:
                rates.append(value)
    return statistics.median(rates) if rates else float("nan")


def last_stats(out):
    """The last stats.jsonl line of the run in `out`, or None before its first tick."""
    stats = os.path.join(out, "stats.jsonl")
    if not os.path.exists(stats) or os.path.getsize(stats) == 0:
        return None
    with open(stats) as lines:
        return [json.loads(line) for line in lines if line.strip()][-1]


def reached(out, kimg):
    """Whether the run in `out` has trained `kimg`, so that a rerun may lengthen it."""
    last = last_stats(out)
    return last is not None and last["kimg"] >= kimg - 1e-9


def train_dermgan(args, seed, zip_path, out):
    if reached(out, args.kimg):
        return
    command = [args.dermgan, "train", zip_path, "--subset", "all", "--resolution", str(args.resolution),
               "--cond", "on", "--kimg", str(args.kimg), "--snap", str(args.snap), "--tick", "1", "--seed", str(seed),
               "--ada-kimg", str(args.ada_kimg), "--ada-resample", "wavelet",  # the reference resamples with sym6
               "--threads", str(args.threads), "--out", out, "--json"]
    if os.path.exists(os.path.join(out, "latest.dermgan")):
        command += ["--resume", "latest"]
    run(command, log=os.path.join(args.out, f"dermgan-s{seed}.log"))


def train_reference(args, seed, zip_path, out):
    if reached(out, args.kimg):
        return
    command = [sys.executable, os.path.join(HERE, "reference_train.py"), "--reference", args.reference, "--data", zip_path,
               "--out", out, "--kimg", str(args.kimg), "--snap", str(args.snap), "--seed", str(seed),
               "--threads", str(args.threads), "--ada-kimg", str(args.ada_kimg)]
    run(command, log=os.path.join(args.out, f"reference-s{seed}.log"), env={**os.environ, **ALLOCATOR})


def score(args, model, report_dir):
    """FID-derm, precision and recall of one snapshot on the validation split (cached in report_dir)."""
    report = os.path.join(report_dir, "metrics.json")
    if not os.path.exists(report):
        run([args.dermgan, "metrics", model, "--data", args.data, "--subset", "val", "--metrics", "fid,pr",
             "--no-baseline", "--out", report_dir, "--json"], log=os.path.join(args.out, "metrics.log"))
    with open(report) as f:
        data = json.load(f)
    m = data["metrics"]
    return dict(kimg=data["model_kimg"], fid=m["fid_derm"], precision=m["precision_derm"], recall=m["recall_derm"])


def scored_run(args, side, seed):
    """[{kimg, fid, precision, recall, seconds}] of one run's snapshots, in kimg order."""
    out = os.path.join(args.out, f"{side}-s{seed}")
    rows = []
    if side == "dermgan":
        snapshots = sorted(glob.glob(os.path.join(out, "snapshot-*.dermgan")), key=snapshot_kimg)
    else:
        snapshots = []
        for pickle in sorted(glob.glob(os.path.join(out, "network-snapshot-*.pkl"))):
            imported = pickle[:-4] + ".dermgan"
            if not os.path.exists(imported):
                run([args.dermgan, "import-stylegan2", pickle, "--reference", args.reference, "--python", sys.executable,
                     "--class-names", ",".join(args.class_names), "--out", imported], log=os.path.join(args.out, "import.log"))
            snapshots.append(imported)
    rate = median_rate(os.path.join(out, "stats.jsonl"))
    for snapshot in snapshots:
        row = score(args, snapshot, snapshot + ".val")
        if side == "reference":  # an imported pickle carries no progress: reference_train.py wrote it beside
            beside = snapshot[:-len(".dermgan")] + ".json"
            if os.path.exists(beside):
                with open(beside) as f:
                    row["kimg"] = json.load(f)["kimg"]
            else:  # the name's kimg, rounded
                row["kimg"] = float(os.path.basename(snapshot).split("-")[-1].split(".")[0])
        row["seconds"] = row["kimg"] * rate
        rows.append(row)
    return rows


def summarise(values):
    return statistics.mean(values), min(values), max(values)


def cell(values, digits):
    mean, low, high = summarise(values)
    if len(values) == 1:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ({low:.{digits}f}-{high:.{digits}f})"


def print_table(args, runs):
    print(f"\n## Parity at {args.resolution}x{args.resolution}, seeds {args.seeds}, validation split "
          f"(FID-derm / precision / recall: mean (range) over seeds; seconds = kimg x median sec/kimg)\n")
    print("| kimg | dermgan FID-derm | reference FID-derm | dermgan precision | reference precision | "
          "dermgan recall | reference recall | dermgan s | reference s |")
    print("|---|---|---|---|---|---|---|---|---|")
    checkpoints = sorted({round(row["kimg"]) for rows in runs.values() for seed_rows in rows for row in seed_rows})
    for kimg in checkpoints:
        cells = {}
        for side in ("dermgan", "reference"):
            found = [row for seed_rows in runs[side] for row in seed_rows if round(row["kimg"]) == kimg]
            for key, digits in (("fid", 2), ("precision", 3), ("recall", 3), ("seconds", 0)):
                cells[side, key] = cell([row[key] for row in found], digits) if found else "-"
        print(f"| {kimg} | {cells['dermgan', 'fid']} | {cells['reference', 'fid']} | {cells['dermgan', 'precision']} | "
              f"{cells['reference', 'precision']} | {cells['dermgan', 'recall']} | {cells['reference', 'recall']} | "
              f"{cells['dermgan', 'seconds']} | {cells['reference', 'seconds']} |")

    # Equal training time: the reference's best FID-derm (mean over seeds at its last checkpoint) against the
    # time dermgan needed to reach it, and dermgan's FID-derm at the reference's total time.
    def mean_curve(side):
        by_kimg = {}
        for seed_rows in runs[side]:
            for row in seed_rows:
                by_kimg.setdefault(round(row["kimg"]), []).append(row)
        return [(statistics.mean(r["seconds"] for r in rows), statistics.mean(r["fid"] for r in rows), kimg)
                for kimg, rows in sorted(by_kimg.items())]
    ours, theirs = mean_curve("dermgan"), mean_curve("reference")
    if not ours or not theirs:
        return
    their_seconds, their_fid, their_kimg = theirs[-1]
    reached = next(((s, k) for s, f, k in ours if f <= their_fid), None)
    at_their_time = [point for point in ours if point[0] <= their_seconds]
    print()
    if reached:
        print(f"dermgan reached the reference's final FID-derm {their_fid:.2f} ({their_kimg} kimg, {their_seconds:.0f} s) "
              f"at {reached[1]} kimg after {reached[0]:.0f} s: {their_seconds / reached[0]:.1f}x less training time.")
    else:
        print(f"dermgan did not reach the reference's final FID-derm {their_fid:.2f} within {args.kimg} kimg.")
    if at_their_time:
        seconds, fid, kimg = at_their_time[-1]
        print(f"In the reference's {their_seconds:.0f} s, dermgan reached {kimg} kimg with FID-derm {fid:.2f} "
              f"(reference {their_fid:.2f}).")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference", required=True, help="checkout of NVlabs/stylegan2-ada-pytorch")
    parser.add_argument("--dermgan", default=os.path.join(ROOT, "build", "bin", "dermgan"))
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "ham10000"))
    parser.add_argument("--resolution", type=int, default=32)
    parser.add_argument("--kimg", type=float, default=40)
    parser.add_argument("--snap", type=float, default=5)
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ada-kimg", type=float, default=100)
    parser.add_argument("--out", default=os.path.join(ROOT, "runs", "parity"))
    parser.add_argument("--only", choices=["dermgan", "reference"], help="train one side only (then score what exists)")
    args = parser.parse_args()
    args.out = os.path.join(args.out, f"r{args.resolution}")
    os.makedirs(args.out, exist_ok=True)
    seeds = [int(s) for s in args.seeds.split(",")]

    print(f"CPU: {cpu_description()}")
    print(f"allocator (both sides): {' '.join(f'{k}={v}' for k, v in ALLOCATOR.items())}")
    print(f"threads: {args.threads}; dermgan: {args.dermgan}; reference: {args.reference}")
    zip_path = os.path.join(args.out, f"train-{args.resolution}.zip")
    if not os.path.exists(zip_path):
        run([args.dermgan, "dataset", "export", args.data, "--subset", "train", "--resolution", str(args.resolution),
             "--out", zip_path])
    inspect = json.loads(run([args.dermgan, "dataset", "inspect", zip_path, "--json"]))
    args.class_names = [entry["name"] for entry in inspect["classes"]]

    for seed in seeds:
        if args.only != "reference":
            train_dermgan(args, seed, zip_path, os.path.join(args.out, f"dermgan-s{seed}"))
        if args.only != "dermgan":
            train_reference(args, seed, zip_path, os.path.join(args.out, f"reference-s{seed}"))
    runs = {side: [scored_run(args, side, seed) for seed in seeds
                   if os.path.isdir(os.path.join(args.out, f"{side}-s{seed}"))] for side in ("dermgan", "reference")}
    args.seeds = ",".join(map(str, seeds))
    print_table(args, runs)
    print(f"\ncommand: {' '.join(sys.argv)}")


if __name__ == "__main__":
    main()
