#!/usr/bin/env python3
"""Reference computation of the distribution metrics with numpy/scipy, for test_metrics.

Reads real.npy and generated.npy (float32 [N, D]) from the folder given as argv[1] and prints JSON with
FID (scipy.linalg.sqrtm, as the StyleGAN2-ADA metrics code), KID on one subset holding every row (so the
result does not depend on a random generator), precision/recall with k = 3 (closed balls, as StyleGAN2-ADA)
and density/coverage with k = 5 (open balls, as the prdc package of Naeem et al.).
"""
import json
import sys

import numpy as np
import scipy.linalg


def fid(real, gen):
    mu1, mu2 = real.mean(0), gen.mean(0)
    s1, s2 = np.cov(real, rowvar=False), np.cov(gen, rowvar=False)
    covmean, _ = scipy.linalg.sqrtm(s1 @ s2, disp=False)
    return float(np.real(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean)))


def kid_one_subset(real, gen):
    n = real.shape[1]
    m = min(real.shape[0], gen.shape[0])
    x, y = gen[:m].astype(np.float64), real[:m].astype(np.float64)
    a = (x @ x.T / n + 1) ** 3 + (y @ y.T / n + 1) ** 3
    b = (x @ y.T / n + 1) ** 3
    return float(((a.sum() - np.diag(a).sum()) / (m - 1) - b.sum() * 2 / m) / m)


def distances(a, b):
    return np.sqrt(np.maximum(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1), 0))


def kth_radii(x, k):
    return np.sort(distances(x, x), axis=1)[:, k]


def precision_recall(real, gen, k=3):
    d = distances(gen, real)
    precision = (d <= kth_radii(real, k)[None, :]).any(1).mean()
    recall = (d.T <= kth_radii(gen, k)[None, :]).any(1).mean()
    return float(precision), float(recall)


def density_coverage(real, gen, k=5):
    radii = kth_radii(real, k)
    d = distances(real, gen)
    density = (d < radii[:, None]).sum(0).mean() / k
    coverage = (d.min(1) < radii).mean()
    return float(density), float(coverage)


def main():
    folder = sys.argv[1]
    real = np.load(folder + "/real.npy").astype(np.float64)
    gen = np.load(folder + "/generated.npy").astype(np.float64)
    p, r = precision_recall(real, gen)
    d, c = density_coverage(real, gen)
    print(json.dumps({"fid": fid(real, gen), "kid": kid_one_subset(real, gen), "precision": p, "recall": r,
                      "density": d, "coverage": c}))


if __name__ == "__main__":
    main()
