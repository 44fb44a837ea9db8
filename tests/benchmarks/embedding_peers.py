"""The peers of bench_embedding: umap-learn's UMAP and scikit-learn's Barnes-Hut t-SNE on the same matrix.

Usage: embedding_peers.py FEATURES.npy OUT_DIR
Writes OUT_DIR/umap-learn.npy and OUT_DIR/sklearn-tsne.npy (the maps, [N, 2] float32) and prints one JSON
line of wall times. Each peer runs once on a small matrix first, so that umap-learn's numba compilation is
not counted. Settings are the ones dermgan uses: 15 neighbours and min_dist 0.1 for UMAP (umap-learn's
defaults, parallel SGD: no random_state, its fastest mode); perplexity 30, 1000 iterations, PCA init,
learning rate "auto" and theta 0.5 for t-SNE. Needs Debian's umap-learn and python3-sklearn.
"""
import json
import os
import sys
import time

import numpy as np


def main():
    features, out = sys.argv[1], sys.argv[2]
    x = np.load(features).astype(np.float32)
    warm = np.random.default_rng(0).standard_normal((300, x.shape[1])).astype(np.float32)
    times = {}

    import umap
    umap.UMAP(n_neighbors=15, min_dist=0.1).fit_transform(warm)
    start = time.perf_counter()
    y = umap.UMAP(n_neighbors=15, min_dist=0.1).fit_transform(x)
    times["umap-learn"] = time.perf_counter() - start
    np.save(os.path.join(out, "umap-learn.npy"), y.astype(np.float32))

    from sklearn.manifold import TSNE
    options = dict(perplexity=30.0, init="pca", learning_rate="auto", method="barnes_hut", angle=0.5, random_state=0)
    try:
        TSNE(max_iter=1000, **options)  # scikit-learn >= 1.5 renamed n_iter
        options["max_iter"] = 1000
    except TypeError:
        options["n_iter"] = 1000
    TSNE(**options).fit_transform(warm)
    start = time.perf_counter()
    y = TSNE(**options).fit_transform(x)
    times["sklearn-tsne"] = time.perf_counter() - start
    np.save(os.path.join(out, "sklearn-tsne.npy"), y.astype(np.float32))
    print(json.dumps(times))


if __name__ == "__main__":
    main()
