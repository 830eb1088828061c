#!/usr/bin/env python3
"""Reference for predictord's Gaussian-emission HMM filters: hmmlearn's GaussianHMM with fixed parameters.

Usage: gaussian_hmm_reference.py IN.json OUT.json
With "train" (a list of sequences) and "heldout" in IN: batch Baum-Welch from IN's parameters (see fit()).
Otherwise IN: {"transition": d*d row-major, "initial": d, "means": d, "variances": d, "y": [..], "levels": [..]}
OUT: {"loglik": log p(y), "prefix_loglik": [log p(y_0..t) for every t],
      "mean": [..], "var": [..], "lo": [[..] per level], "hi": [[..] per level]}
where mean/var/lo/hi[t] describe the predictive law of y_{t+1} given y_0..t: the mixture sum_x w(x) N(m_x, v_x)
with w = (filtered posterior of X_t, i.e. hmmlearn's last posterior of the prefix y_0..t) A, and lo/hi its
(1-l)/2 and (1+l)/2 quantiles (scipy brentq on the mixture CDF).
"""
import json
import sys

import numpy as np
from hmmlearn.hmm import GaussianHMM
from scipy.optimize import brentq
from scipy.stats import norm


def fit(src):
    """Batch Baum-Welch (hmmlearn fit) from the given parameters on the training sequences; the fitted model's
    held-out log-likelihood (each held-out sequence scored from the fitted initial law)."""
    d = len(src["means"])
    model = GaussianHMM(n_components=d, covariance_type="diag", init_params="", params="stmc",
                        n_iter=src.get("iterations", 200), tol=1e-9, min_covar=1e-9)
    model.startprob_ = np.array(src["initial"], float)
    model.transmat_ = np.array(src["transition"], float).reshape(d, d)
    model.means_ = np.array(src["means"], float).reshape(d, 1)
    model.covars_ = np.array(src["variances"], float).reshape(d, 1)
    train = [np.array(seq, float).reshape(-1, 1) for seq in src["train"]]
    model.fit(np.concatenate(train), lengths=[len(seq) for seq in train])
    heldout = sum(float(model.score(np.array(seq, float).reshape(-1, 1))) for seq in src["heldout"])
    return {"heldout_loglik": heldout, "means": model.means_.ravel().tolist(),
            "variances": model.covars_.ravel().tolist(), "transition": model.transmat_.ravel().tolist(),
            "iterations": int(model.monitor_.iter)}


def main():
    src = json.load(open(sys.argv[1]))
    if "train" in src:
        json.dump(fit(src), open(sys.argv[2], "w"))
        return
    d = len(src["means"])
    A = np.array(src["transition"], float).reshape(d, d)
    m = np.array(src["means"], float)
    v = np.array(src["variances"], float)
    model = GaussianHMM(n_components=d, covariance_type="diag", init_params="", params="")
    model.startprob_ = np.array(src["initial"], float)
    model.transmat_ = A
    model.means_ = m.reshape(d, 1)
    model.covars_ = v.reshape(d, 1)
    y = np.array(src["y"], float).reshape(-1, 1)
    out = {"loglik": float(model.score(y)), "prefix_loglik": [], "mean": [], "var": [], "lo": [], "hi": []}
    levels = src["levels"]
    lo, hi = [[] for _ in levels], [[] for _ in levels]
    sd = np.sqrt(v)
    for t in range(len(y)):
        ll, post = model.score_samples(y[: t + 1])
        out["prefix_loglik"].append(float(ll))
        w = post[-1] @ A
        mean = float(w @ m)
        out["mean"].append(mean)
        out["var"].append(float(w @ (v + (m - mean) ** 2)))
        cdf = lambda q: float(w @ norm.cdf((q - m) / sd))
        a, b = float(np.min(m - 40 * sd)), float(np.max(m + 40 * sd))
        for k, level in enumerate(levels):
            lo[k].append(brentq(lambda q: cdf(q) - (1 - level) / 2, a, b, xtol=1e-14, rtol=4 * np.finfo(float).eps))
            hi[k].append(brentq(lambda q: cdf(q) - (1 + level) / 2, a, b, xtol=1e-14, rtol=4 * np.finfo(float).eps))
    out["lo"], out["hi"] = lo, hi
    json.dump(out, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
