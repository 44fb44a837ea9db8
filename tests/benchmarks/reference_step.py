#!/usr/bin/env python3
"""Times the reference StyleGAN2-ADA (PyTorch) training step on CPU, for bench_training's ratio.

Runs the user's own checkout of NVlabs/stylegan2-ada-pytorch (never part of dermgan) with Debian's
python3-torch, with the same architecture, batch, regularisation schedule and augmentation probability as
bench_training, and prints `reference img/s: X`. The loop mirrors the reference training_loop's
phases (Gmain, Greg when pl_weight > 0, Dmain, Dreg every 16 steps), its G_ema update and ADA's pipeline.
A second line, `reference convolution s/step: Y`, is the time spent inside convolutions per step, from as
many steps again under PyTorch's profiler.

usage: reference_step.py --reference PATH [--resolution 64] [--batch 32] [--steps 10] [--threads 2]
                         [--cbase 1024] [--cmax 256] [--map 2] [--z-dim 256] [--w-dim 256] [--classes 7]
"""
import argparse
import sys
import time
import warnings


def bilinear_zero_padded(torch, x, grid):
    """grid_sample(mode='bilinear', padding_mode='zeros', align_corners=False) from gathers."""
    n, c, h, w = x.shape
    gx = ((grid[..., 0] + 1) * w - 1) / 2
    gy = ((grid[..., 1] + 1) * h - 1) / 2
    x0, y0 = gx.floor(), gy.floor()
    flat = x.reshape(n, c, h * w)
    out = 0
    for dy in (0, 1):
        for dx in (0, 1):
            xi, yi = x0 + dx, y0 + dy
            weight = (1 - (gx - xi).abs()) * (1 - (gy - yi).abs())
            inside = (xi >= 0) & (xi <= w - 1) & (yi >= 0) & (yi <= h - 1)
            index = (yi.clamp(0, h - 1) * w + xi.clamp(0, w - 1)).long().reshape(n, 1, -1).expand(n, c, -1)
            value = flat.gather(2, index).reshape(n, c, *grid.shape[1:3])
            out = out + value * (weight * inside).unsqueeze(1)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reference", required=True)
    parser.add_argument("--resolution", type=int, default=64)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cbase", type=int, default=1024)
    parser.add_argument("--cmax", type=int, default=256)
    parser.add_argument("--map", type=int, default=2)
    parser.add_argument("--z-dim", type=int, default=256)
    parser.add_argument("--w-dim", type=int, default=256)
    parser.add_argument("--classes", type=int, default=7)
    parser.add_argument("--augment-p", type=float, default=0.2)
    args = parser.parse_args()

    sys.path.insert(0, args.reference)
    warnings.filterwarnings("ignore")
    import torch
    from training import networks, loss as loss_module, augment

    # The reference makes grid_sample twice differentiable (for R1 through the augmentations) only on
    # PyTorch 1.7-1.9; on Debian's 1.13 its fallback cannot do the double backward. Substitute a gather-based
    # bilinear sampler (the method dermgan uses) so that the reference step can run at all.
    from torch_utils.ops import grid_sample_gradfix
    grid_sample_gradfix.grid_sample = lambda input, grid: bilinear_zero_padded(torch, input, grid)

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    device = torch.device("cpu")
    res = args.resolution
    common = dict(c_dim=args.classes, img_resolution=res, img_channels=3)
    G = networks.Generator(z_dim=args.z_dim, w_dim=args.w_dim, mapping_kwargs=dict(num_layers=args.map),
                           synthesis_kwargs=dict(channel_base=args.cbase, channel_max=args.cmax, num_fp16_res=0,
                                                 conv_clamp=None), **common).train().requires_grad_(False)
    D = networks.Discriminator(channel_base=args.cbase, channel_max=args.cmax, num_fp16_res=0, conv_clamp=None,
                               epilogue_kwargs=dict(mbstd_group_size=4), **common).train().requires_grad_(False)
    G_ema = networks.Generator(z_dim=args.z_dim, w_dim=args.w_dim, mapping_kwargs=dict(num_layers=args.map),
                               synthesis_kwargs=dict(channel_base=args.cbase, channel_max=args.cmax, num_fp16_res=0,
                                                     conv_clamp=None), **common).eval()
    augment_pipe = augment.AugmentPipe(xflip=1, rotate90=1, xint=1, scale=1, rotate=1, aniso=1, xfrac=1,
                                       brightness=1, contrast=1, lumaflip=1, hue=1, saturation=1).train()
    augment_pipe.p.copy_(torch.as_tensor(args.augment_p))
    gamma = 0.0002 * res * res / args.batch
    loss = loss_module.StyleGAN2Loss(device=device, G_mapping=G.mapping, G_synthesis=G.synthesis, D=D,
                                     augment_pipe=augment_pipe, style_mixing_prob=0.9, r1_gamma=gamma, pl_weight=0)
    # Lazy R1 every 16 steps with Adam rescaled as the reference; pl_weight 0 as bench_training's default.
    ratio = 16 / 17
    opt_G = torch.optim.Adam(G.parameters(), lr=0.0025, betas=(0, 0.99), eps=1e-8)
    opt_D = torch.optim.Adam(D.parameters(), lr=0.0025 * ratio, betas=(0, 0.99 ** ratio), eps=1e-8)
    phases = [("Gmain", G, opt_G, 1), ("Dmain", D, opt_D, 1), ("Dreg", D, opt_D, 16)]

    reals = torch.randint(0, 256, (256, 3, res, res), dtype=torch.uint8)
    labels = torch.nn.functional.one_hot(torch.arange(256) % args.classes, args.classes).float()

    def step(batch_idx):
        index = torch.randint(0, 256, (args.batch,))
        real_img = reals[index].float() / 127.5 - 1
        real_c = labels[index]
        for name, module, opt, interval in phases:
            if batch_idx % interval != 0:
                continue
            gen_z = torch.randn(args.batch, args.z_dim)
            gen_c = labels[torch.randint(0, 256, (args.batch,))]
            opt.zero_grad(set_to_none=True)
            module.requires_grad_(True)
            loss.accumulate_gradients(phase=name, real_img=real_img, real_c=real_c, gen_z=gen_z, gen_c=gen_c,
                                      sync=True, gain=interval)
            module.requires_grad_(False)
            opt.step()
        with torch.no_grad():
            beta = 0.5 ** (args.batch / 10000.0)
            for p_ema, p in zip(G_ema.parameters(), G.parameters()):
                p_ema.copy_(p.lerp(p_ema, beta))
            for b_ema, b in zip(G_ema.buffers(), G.buffers()):
                b_ema.copy_(b)

    for i in range(2):
        step(i)
    start = time.perf_counter()
    for i in range(args.steps):
        step(i + 2)
    seconds = time.perf_counter() - start
    print(f"reference img/s: {args.steps * args.batch / seconds:.3f}", flush=True)

    # As many steps again under the profiler (same share of lazy R1 steps), for the time spent inside
    # convolutions: operators' own time, so nesting is not counted twice and Python's overhead is left out.
    with torch.autograd.profiler.profile() as profile:
        for i in range(args.steps):
            step(args.steps + i + 2)
    convolution_us = sum(event.self_cpu_time_total for event in profile.key_averages()
                         if event.key.startswith("aten::") and "conv" in event.key)
    print(f"reference convolution s/step: {convolution_us / 1e6 / args.steps:.4f}")


if __name__ == "__main__":
    main()
