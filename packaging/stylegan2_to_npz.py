#!/usr/bin/env python3
"""Converts a StyleGAN2-ADA (PyTorch) network pickle into a neutral .npz that dermgan imports.

    python3 stylegan2_to_npz.py --reference PATH/TO/stylegan2-ada-pytorch network-snapshot-001000.pkl out.npz

The pickle stores the reference code's classes, so unpickling needs a checkout of that code (the user's own;
dermgan does not ship it). Only G_ema is written: every parameter and buffer under its reference name
(mapping.fc0.weight, synthesis.b4.conv1.noise_const, mapping.w_avg, ...) and, as `__config__`, the
architecture as UTF-8 JSON bytes. Runs on the CPU with Debian's python3-torch and python3-numpy.
What dermgan cannot render faithfully is refused here with one line on stderr and exit code 3.
"""
import argparse
import json
import os
import sys

import numpy as np

FORMAT = "dermgan-stylegan2-import"


class Refused(Exception):
    pass


def describe(G, source):
    """The config dermgan needs, from the generator's constructor arguments (refusing what it lacks)."""
    module = type(G).__module__
    if "stylegan3" in module or hasattr(G.synthesis, "layer_names"):
        raise Refused(f"{source} is a StyleGAN3 (alias-free) network; dermgan renders StyleGAN2(-ADA) generators only")
    if not hasattr(G, "init_kwargs") or not hasattr(G, "mapping") or not hasattr(G.synthesis, "block_resolutions"):
        raise Refused(f"{source} holds no StyleGAN2-ADA generator (expected G_ema of training/networks.py)")
    kwargs = G.init_kwargs
    mapping = dict(kwargs.get("mapping_kwargs", {}))
    synthesis = dict(kwargs.get("synthesis_kwargs", {}))
    architecture = synthesis.get("architecture", "skip")
    if architecture != "skip":
        raise Refused(f"{source}: synthesis architecture '{architecture}' is not supported; dermgan renders 'skip' (the default)")
    for key in ("embed_features", "layer_features"):
        if mapping.get(key) is not None:
            raise Refused(f"{source}: mapping {key}={mapping[key]} is not supported (dermgan uses w_dim)")
    if mapping.get("w_avg_beta", 0.995) is None:
        raise Refused(f"{source}: the mapping network tracks no w_avg, so truncation cannot work")
    conv_clamp = synthesis.get("conv_clamp")
    return {
        "format": FORMAT,
        "version": 1,
        "source": os.path.basename(source),
        "z_dim": int(G.z_dim),
        "c_dim": int(G.c_dim),
        "w_dim": int(G.w_dim),
        "img_resolution": int(G.img_resolution),
        "img_channels": int(G.img_channels),
        "num_ws": int(G.num_ws),
        "mapping_layers": int(mapping.get("num_layers", 8)),
        "mapping_lr_multiplier": float(mapping.get("lr_multiplier", 0.01)),
        "w_avg_beta": float(mapping.get("w_avg_beta", 0.995)),
        "channel_base": int(synthesis.get("channel_base", 32768)),
        "channel_max": int(synthesis.get("channel_max", 512)),
        "conv_clamp": None if conv_clamp is None else float(conv_clamp),
        "architecture": architecture,
        "num_fp16_res": int(synthesis.get("num_fp16_res", 0)),  # dermgan renders in float32
    }


def tensors_of(G):
    named = dict(G.named_parameters())
    named.update(dict(G.named_buffers()))
    return {name: t.detach().cpu().float().numpy() for name, t in named.items()}


def write_npz(G, source, out, extra=None):
    config = describe(G, source)
    arrays = tensors_of(G)
    arrays["__config__"] = np.frombuffer(json.dumps(config).encode("utf-8"), dtype=np.uint8)
    for name, value in (extra or {}).items():
        arrays[name] = value
    tmp = out + ".tmp.npz"
    np.savez(tmp, **arrays)  # stored, not deflated: dermgan reads either
    os.replace(tmp, out)
    return config


def load_generator(pkl, reference):
    sys.path.insert(0, os.path.abspath(reference))
    try:
        import legacy  # noqa: E402  (from the user's reference checkout)
    except ImportError as e:
        raise Refused(f"--reference {reference} is not a stylegan2-ada-pytorch checkout (legacy.py not importable: {e})")
    with open(pkl, "rb") as f:
        data = legacy.load_network_pkl(f)
    if "G_ema" not in data:
        raise Refused(f"{pkl} has no G_ema; expected a network-snapshot pickle of stylegan2-ada-pytorch")
    return data["G_ema"].eval().requires_grad_(False).cpu()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference", required=True, help="checkout of NVlabs/stylegan2-ada-pytorch (to unpickle)")
    parser.add_argument("pickle", help="network-snapshot-*.pkl")
    parser.add_argument("out", help="output .npz")
    args = parser.parse_args()
    try:
        if not os.path.isfile(args.pickle):
            raise Refused(f"network pickle {args.pickle} does not exist")
        G = load_generator(args.pickle, args.reference)
        config = write_npz(G, args.pickle, args.out)
    except Refused as e:
        print(f"stylegan2_to_npz: {e}", file=sys.stderr)
        return 3
    print(json.dumps(config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
