#!/usr/bin/env python3
"""Which architecture gives the most believable lesions for a fixed CPU-time budget on this machine?

Trains each configuration (a name and extra `dermgan train` options) on the lesion-grouped training split
for the same training time, then scores its snapshots on the *validation* split with FID-derm, precision,
recall and the two-sample classifier test, and prints one table ranked by FID-derm at the budget.
Training time is kimg x the run's median sec/kimg, so pausing a run (SIGSTOP while the machine builds)
costs it nothing; a run is stopped with SIGINT (dermgan snapshots, exits 130) once it has used its budget.
Reruns resume: a finished configuration is not retrained and a scored snapshot is not rescored, so the
budget can grow from one session to the next (--minutes 60, later --minutes 240).

usage: sweep_presets.py [--minutes 15] [--config NAME='OPTIONS' ...] [--dermgan build/bin/dermgan]
                        [--data ../shared/data/ham10000] [--snap 2] [--threads 2] [--out ../runs/sweep]
"""
import argparse
import glob
import json
import os
import signal
import subprocess
import sys
import time

from bench_parity import ROOT, last_stats, median_rate, run, snapshot_kimg

DEFAULT_CONFIGS = [
    "cbase1024='--cbase 1024 --cmax 256'",   # the cpu preset of 2026-11 (16 channels at 64x64)
    "cbase2048='--cbase 2048 --cmax 256'",
    "cbase4096='--cbase 4096 --cmax 256'",
]


def parse_config(text):
    name, _, options = text.partition("=")
    return name, options.strip("'\"").split()


def training_seconds(out):
    """kimg reached and kimg x median sec/kimg of the run in `out` (0, 0 before the first tick)."""
    last = last_stats(out)
    if last is None:
        return 0.0, 0.0
    return last["kimg"], last["kimg"] * median_rate(os.path.join(out, "stats.jsonl"))


def train(args, name, options):
    out = os.path.join(args.out, name)
    budget = args.minutes * 60
    kimg, seconds = training_seconds(out)
    if seconds >= budget:
        return
    command = [args.dermgan, "train", args.data, "--out", out, "--kimg", "100000", "--snap", str(args.snap),
               "--tick", "0.5", "--threads", str(args.threads), "--json"] + options
    if os.path.exists(os.path.join(out, "latest.dermgan")):
        command = [args.dermgan, "train", args.data, "--out", out, "--resume", "latest", "--kimg", "100000",
                   "--threads", str(args.threads), "--json"]
    print("$ " + " ".join(command), flush=True)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(args.out, f"{name}.log"), "a") as log:
        process = subprocess.Popen(command, stdout=log, stderr=log)
        while process.poll() is None:
            time.sleep(5)
            kimg, seconds = training_seconds(out)
            if seconds >= budget:
                process.send_signal(signal.SIGINT)  # snapshot at this kimg, exit 130
                process.wait()
    if process.returncode not in (0, 130):
        sys.exit(f"sweep_presets: training {name} failed with exit code {process.returncode}; see {args.out}/{name}.log")


def score(args, snapshot):
    report_dir = snapshot + ".val"
    report = os.path.join(report_dir, "metrics.json")
    if not os.path.exists(report):
        run([args.dermgan, "metrics", snapshot, "--data", args.data, "--subset", "val", "--metrics", "fid,pr,c2st",
             "--no-baseline", "--out", report_dir, "--json"], log=os.path.join(args.out, "metrics.log"))
    with open(report) as f:
        data = json.load(f)
    return data


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=15, help="training-time budget per configuration")
    parser.add_argument("--config", action="append", help="NAME='dermgan train options' (repeat); default: channel bases")
    parser.add_argument("--dermgan", default=os.path.join(ROOT, "build", "bin", "dermgan"))
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "ham10000"))
    parser.add_argument("--snap", type=float, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default=os.path.join(ROOT, "..", "runs", "sweep"))
    parser.add_argument("--score-only", action="store_true", help="score what exists, train nothing")
    args = parser.parse_args()
    configs = [parse_config(text) for text in (args.config or DEFAULT_CONFIGS)]
    os.makedirs(args.out, exist_ok=True)

    if not args.score_only:
        for name, options in configs:
            train(args, name, options)

    rows = []
    for name, options in configs:
        out = os.path.join(args.out, name)
        stats = os.path.join(out, "stats.jsonl")
        if not os.path.exists(stats):
            continue
        rate = median_rate(stats)
        snapshots = sorted(glob.glob(os.path.join(out, "snapshot-*.dermgan")), key=snapshot_kimg)
        if not snapshots:
            continue
        data = score(args, snapshots[-1])
        m = data["metrics"]
        options_text = " ".join(options)
        dry = json.loads(run([args.dermgan, "train", args.data, "--dry-run", "--json"] + options))
        rows.append(dict(name=name, options=options_text, params=dry["generator_parameters"],
                         images_per_second=1000 / rate, kimg=data["model_kimg"], minutes=data["model_kimg"] * rate / 60,
                         fid=m["fid_derm"], precision=m["precision_derm"], recall=m["recall_derm"],
                         c2st=m.get("c2st_auc", float("nan")), c2st_ci=m.get("c2st_auc_ci", [float("nan")] * 2),
                         snapshot=snapshots[-1]))
    rows.sort(key=lambda row: row["fid"])
    print(f"\n## Configurations at {args.minutes:g} minutes of training each (validation split, ranked by FID-derm)\n")
    print("| config | options | G params | img/s | kimg | minutes | FID-derm | precision | recall | C2ST AUC [95%] |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['name']} | `{r['options']}` | {r['params'] / 1e6:.2f}M | {r['images_per_second']:.1f} | {r['kimg']:.1f} | "
              f"{r['minutes']:.1f} | {r['fid']:.2f} | {r['precision']:.3f} | {r['recall']:.3f} | "
              f"{r['c2st']:.3f} [{r['c2st_ci'][0]:.3f}, {r['c2st_ci'][1]:.3f}] |")
    print(f"\ncommand: {' '.join(sys.argv)}")
    for r in rows:
        print(f"scored: dermgan metrics {r['snapshot']} --data {args.data} --subset val --metrics fid,pr,c2st --no-baseline")


if __name__ == "__main__":
    main()
