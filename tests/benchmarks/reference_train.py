#!/usr/bin/env python3
"""Trains the reference StyleGAN2-ADA (PyTorch) on the CPU with dermgan's hyperparameters, for bench_parity.py.

Runs the user's own checkout of NVlabs/stylegan2-ada-pytorch (never part of dermgan) with Debian's
python3-torch. The loop follows the reference training/training_loop.py phase by phase: its networks, its
StyleGAN2Loss (style mixing, lazy R1, ADA's augment pipe) and training_stats, its InfiniteSampler over its
ImageFolderDataset (x-flips doubling the set as --mirror does), G_ema with ramp-up, ADA's sign heuristic,
and NaN scrubbing of gradients. Three deliberate differences, each to match dermgan rather than to change
the method: fp32 everywhere with no conv clamp (dermgan's CPU networks), grid_sample replaced by a
gather-based bilinear sampler (Debian's PyTorch 1.13 cannot double-backward the reference's; see
reference_step.py), and G's lazy-regularisation Adam rescaling only when --pl-weight > 0 (dermgan's rule;
the reference rescales G's Adam by 4/5 even when path length is off).

Writes OUT/network-snapshot-KKKKKK.pkl (the reference's format: import with `dermgan import-stylegan2`)
with a .json beside it giving the exact kimg every --snap kimg, OUT/stats.jsonl (one line per tick: kimg, training seconds, sec/kimg, augment p) and
OUT/resume.pt, from which a rerun with the same options continues.

usage: reference_train.py --reference PATH --data ZIP --out DIR [--kimg 40] [--snap 5] [--seed 0] ...
"""
import argparse
import copy
import json
import os
import pickle
import sys
import time
import warnings

import numpy as np


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference", required=True, help="checkout of NVlabs/stylegan2-ada-pytorch")
    parser.add_argument("--data", required=True, help="StyleGAN2-ADA dataset zip (dermgan dataset export)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--kimg", type=float, default=40)
    parser.add_argument("--snap", type=float, default=5, help="snapshot every N kimg")
    parser.add_argument("--tick", type=float, default=1, help="stats line every N kimg")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cond", choices=["on", "off"], default="on")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--cbase", type=int, default=1024)
    parser.add_argument("--cmax", type=int, default=256)
    parser.add_argument("--map", type=int, default=2)
    parser.add_argument("--z-dim", type=int, default=256)
    parser.add_argument("--w-dim", type=int, default=256)
    parser.add_argument("--mbstd-group", type=int, default=4)
    parser.add_argument("--lr", type=float, default=0.0025)
    parser.add_argument("--lr-d", type=float, default=0.0025)
    parser.add_argument("--gamma", type=float, default=-1, help="R1 weight; < 0: 0.0002 * resolution^2 / batch")
    parser.add_argument("--r1-interval", type=int, default=16)
    parser.add_argument("--pl-weight", type=float, default=0)
    parser.add_argument("--style-mixing", type=float, default=0.9)
    parser.add_argument("--ema-kimg", type=float, default=-1, help="< 0: batch * 10 / 32")
    parser.add_argument("--ema-rampup", type=float, default=0.05)
    parser.add_argument("--aug", choices=["bgc", "none"], default="bgc")
    parser.add_argument("--ada-target", type=float, default=0.6)
    parser.add_argument("--ada-interval", type=int, default=4)
    parser.add_argument("--ada-kimg", type=float, default=100)
    parser.add_argument("--mirror", type=int, choices=[0, 1], default=1)
    return parser.parse_args()


def main():
    args = parse_arguments()
    sys.path.insert(0, args.reference)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    warnings.filterwarnings("ignore")
    import torch
    from reference_step import bilinear_zero_padded
    from torch_utils import misc, training_stats
    from torch_utils.ops import grid_sample_gradfix
    from training import augment, dataset, loss as loss_module, networks

    grid_sample_gradfix.grid_sample = lambda input, grid: bilinear_zero_padded(torch, input, grid)
    torch.set_num_threads(args.threads)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)

    training_set = dataset.ImageFolderDataset(path=args.data, use_labels=args.cond == "on", xflip=bool(args.mirror))
    res = training_set.resolution
    loader = iter(torch.utils.data.DataLoader(
        dataset=training_set, batch_size=args.batch, num_workers=0,
        sampler=misc.InfiniteSampler(dataset=training_set, seed=args.seed)))

    common = dict(c_dim=training_set.label_dim, img_resolution=res, img_channels=3)
    synthesis = dict(channel_base=args.cbase, channel_max=args.cmax, num_fp16_res=0, conv_clamp=None)
    G = networks.Generator(z_dim=args.z_dim, w_dim=args.w_dim, mapping_kwargs=dict(num_layers=args.map),
                           synthesis_kwargs=synthesis, **common).train().requires_grad_(False)
    D = networks.Discriminator(channel_base=args.cbase, channel_max=args.cmax, num_fp16_res=0, conv_clamp=None,
                               epilogue_kwargs=dict(mbstd_group_size=args.mbstd_group), **common).train().requires_grad_(False)
    G_ema = copy.deepcopy(G).eval()
    augment_pipe, ada_stats = None, None
    if args.aug == "bgc":
        augment_pipe = augment.AugmentPipe(xflip=1, rotate90=1, xint=1, scale=1, rotate=1, aniso=1, xfrac=1,
                                           brightness=1, contrast=1, lumaflip=1, hue=1, saturation=1).train()
        augment_pipe.requires_grad_(False)
        augment_pipe.p.copy_(torch.as_tensor(0.0))
        ada_stats = training_stats.Collector(regex="Loss/signs/real")

    gamma = args.gamma if args.gamma >= 0 else 0.0002 * res * res / args.batch
    loss = loss_module.StyleGAN2Loss(device=torch.device("cpu"), G_mapping=G.mapping, G_synthesis=G.synthesis, D=D,
                                     augment_pipe=augment_pipe, style_mixing_prob=args.style_mixing, r1_gamma=gamma,
                                     pl_weight=args.pl_weight)
    phases = []
    for name, module, lr, interval in [("G", G, args.lr, 4 if args.pl_weight > 0 else None),
                                       ("D", D, args.lr_d, args.r1_interval if gamma > 0 else None)]:
        ratio = 1 if interval is None else interval / (interval + 1)
        opt = torch.optim.Adam(module.parameters(), lr=lr * ratio, betas=(0, 0.99 ** ratio), eps=1e-8)
        if interval is None:
            phases.append(dict(name=name + "both", module=module, opt=opt, interval=1))
        else:
            phases += [dict(name=name + "main", module=module, opt=opt, interval=1),
                       dict(name=name + "reg", module=module, opt=opt, interval=interval)]

    ema_kimg = args.ema_kimg if args.ema_kimg >= 0 else args.batch * 10 / 32
    cur_nimg, batch_idx, train_seconds = 0, 0, 0.0
    resume_file = os.path.join(args.out, "resume.pt")
    if os.path.exists(resume_file):
        state = torch.load(resume_file)
        for module, key in [(G, "G"), (D, "D"), (G_ema, "G_ema")]:
            module.load_state_dict(state[key])
        for phase, opt_state in zip(phases, state["optimizers"]):
            phase["opt"].load_state_dict(opt_state)
        if augment_pipe is not None:
            augment_pipe.p.copy_(torch.as_tensor(state["augment_p"]))
        cur_nimg, batch_idx, train_seconds = state["nimg"], state["batch_idx"], state["train_seconds"]
        torch.set_rng_state(state["torch_rng"])
        np.random.set_state(state["numpy_rng"])
        print(f"resuming at kimg {cur_nimg / 1000:.3f}", flush=True)

    def save(kimg_name):
        snapshot = dict(training_set_kwargs=dict(path=args.data, use_labels=args.cond == "on", xflip=bool(args.mirror)))
        for name, module in [("G", G), ("D", D), ("G_ema", G_ema), ("augment_pipe", augment_pipe)]:
            snapshot[name] = None if module is None else copy.deepcopy(module).eval().requires_grad_(False)
        target = os.path.join(args.out, f"network-snapshot-{kimg_name:06d}.pkl")
        with open(target + ".tmp", "wb") as f:
            pickle.dump(snapshot, f)
        os.replace(target + ".tmp", target)
        with open(target[:-4] + ".json", "w") as f:  # the exact kimg: the name is rounded
            json.dump(dict(kimg=cur_nimg / 1000, train_seconds=train_seconds), f)
        torch.save(dict(G=G.state_dict(), D=D.state_dict(), G_ema=G_ema.state_dict(), nimg=cur_nimg,
                        optimizers=[phase["opt"].state_dict() for phase in phases], batch_idx=batch_idx,
                        augment_p=float(augment_pipe.p) if augment_pipe is not None else 0.0,
                        train_seconds=train_seconds, torch_rng=torch.get_rng_state(),
                        numpy_rng=np.random.get_state()), resume_file + ".tmp")
        os.replace(resume_file + ".tmp", resume_file)

    total_nimg = int(args.kimg * 1000)
    next_tick = (cur_nimg // int(args.tick * 1000) + 1) * int(args.tick * 1000)
    next_snap = (cur_nimg // int(args.snap * 1000) + 1) * int(args.snap * 1000)
    tick_start_nimg, tick_start_seconds = cur_nimg, train_seconds
    stats = open(os.path.join(args.out, "stats.jsonl"), "at")
    while cur_nimg < total_nimg:
        start = time.perf_counter()
        real_img, real_c = next(loader)
        real_img = real_img.to(torch.float32) / 127.5 - 1
        gen_z = torch.randn([len(phases), args.batch, G.z_dim])
        gen_c = torch.from_numpy(np.stack([training_set.get_label(np.random.randint(len(training_set)))
                                           for _ in range(len(phases) * args.batch)])).split(args.batch)
        for phase, phase_z, phase_c in zip(phases, gen_z, gen_c):
            if batch_idx % phase["interval"] != 0:
                continue
            phase["opt"].zero_grad(set_to_none=True)
            phase["module"].requires_grad_(True)
            loss.accumulate_gradients(phase=phase["name"], real_img=real_img, real_c=real_c, gen_z=phase_z, gen_c=phase_c,
                                      sync=True, gain=phase["interval"])
            phase["module"].requires_grad_(False)
            for param in phase["module"].parameters():
                if param.grad is not None:
                    misc.nan_to_num(param.grad, nan=0, posinf=1e5, neginf=-1e5, out=param.grad)
            phase["opt"].step()
        with torch.no_grad():
            ema_nimg = ema_kimg * 1000
            if args.ema_rampup > 0:
                ema_nimg = min(ema_nimg, cur_nimg * args.ema_rampup)
            ema_beta = 0.5 ** (args.batch / max(ema_nimg, 1e-8))
            for p_ema, p in zip(G_ema.parameters(), G.parameters()):
                p_ema.copy_(p.lerp(p_ema, ema_beta))
            for b_ema, b in zip(G_ema.buffers(), G.buffers()):
                b_ema.copy_(b)
        cur_nimg += args.batch
        batch_idx += 1
        if ada_stats is not None and batch_idx % args.ada_interval == 0:
            ada_stats.update()
            adjust = np.sign(ada_stats["Loss/signs/real"] - args.ada_target) * (args.batch * args.ada_interval) / (args.ada_kimg * 1000)
            augment_pipe.p.copy_((augment_pipe.p + adjust).max(misc.constant(0)))
        train_seconds += time.perf_counter() - start

        if cur_nimg >= next_tick or cur_nimg >= total_nimg:
            seconds = train_seconds - tick_start_seconds
            line = dict(kimg=cur_nimg / 1000, train_seconds=train_seconds,
                        sec_per_kimg=seconds / max(cur_nimg - tick_start_nimg, 1) * 1000,
                        augment_p=float(augment_pipe.p) if augment_pipe is not None else 0.0)
            stats.write(json.dumps(line) + "\n")
            stats.flush()
            print(json.dumps(line), flush=True)
            tick_start_nimg, tick_start_seconds = cur_nimg, train_seconds
            next_tick += int(args.tick * 1000)
        if cur_nimg >= next_snap or cur_nimg >= total_nimg:
            save(int(round(cur_nimg / 1000)))
            next_snap += int(args.snap * 1000)


if __name__ == "__main__":
    main()
