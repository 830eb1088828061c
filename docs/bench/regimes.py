#!/usr/bin/env python3
"""Gaussian-emission HMM against the constant-variance `rls` on daily returns (volatility regimes), one step ahead.

Usage: regimes.py PREDICTORD_BINARY CONFIG MODEL ROOT   (docs/bench/forecast.sh runs it after forecast.py; MODEL unused)

The series is forecast.py's sp500_ew (equal-weight daily return of 10 US stocks, %, river's sp500.csv.gz). The HMM
(d in {2, 3}, lowest BIC) is fitted by hmmlearn's Baum-Welch on the FIRST half only; predictord then filters the whole
series with those fixed parameters (`kind: forward` and `kind: dual`, window 16, with `means`/`variances`); the
bundled `series` model (rls AR(4), Student-t predictive) is the constant-variance baseline. Scores over the second
half: the exact mean negative log predictive density (HMM: its `surprise`; rls: the Student-t density with the
published mean, variance and the nu its 90 % interval implies), the Gaussian NLPD from mean and var (the forecasting
table's score), 90 % coverage and RMSE. Rewrites the block between the regimes markers of docs/forecasting.md.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
from hmmlearn.hmm import GaussianHMM
from scipy import optimize, stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import forecast  # noqa: E402 (same arguments: the series loader and the doc-block writer)

BIN, CFG = forecast.BIN, forecast.CFG
BEGIN, END = "<!-- regimes:begin -->", "<!-- regimes:end -->"


def series():
    return forecast.load_series()["sp500_ew"][0]


def fit(first):
    best = None
    for d in (2, 3):
        for seed in range(5):
            m = GaussianHMM(n_components=d, covariance_type="diag", n_iter=500, tol=1e-8, random_state=seed)
            m.fit(first.reshape(-1, 1))
            ll = m.score(first.reshape(-1, 1))
            k = d * d - 1 + 2 * d  # free parameters: transitions d(d-1), initial d-1, means d, variances d
            bic = -2 * ll + k * math.log(len(first))
            if best is None or bic < best[0]:
                best = (bic, d, m)
    return best[1], best[2]


def replay(config, model, y):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for i, v in enumerate(y):
            f.write(json.dumps({"seq": i, "y": float(v)}) + "\n")
    out = subprocess.run([BIN, "replay", "--config", config, "--model", model, f.name], check=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    os.unlink(f.name)
    if " 0 dropped" not in out.stderr:
        sys.exit(f"replay dropped lines: {out.stderr}")
    return [json.loads(l) for l in out.stdout.splitlines()]


def columns(preds, n):
    """mean, var, lo, hi of the forecast of y[t] (the prediction published with seq t) and the surprise of y[t]."""
    mean, var, lo, hi, surprise = (np.full(n, np.nan) for _ in range(5))
    for p in preds:
        t = p["seq"]
        if t < n:
            mean[t], var[t] = p.get("mean", np.nan), p.get("var", np.nan)
            iv = p.get("interval", {}).get("0.9")
            if iv:
                lo[t], hi[t] = iv
        if 1 <= t <= n and p.get("surprise") is not None:
            surprise[t - 1] = p["surprise"]
    return mean, var, lo, hi, surprise


def student_nlpd(y, mean, var, lo, hi):
    """-log of the Student-t density whose variance is var and whose 90 % interval is [lo, hi] (nu solved for)."""
    half = (hi - lo) / 2
    sd = math.sqrt(var)
    g = lambda nu: stats.t.ppf(0.95, nu) * math.sqrt((nu - 2) / nu) - half / sd
    if g(1e7) >= -1e-12:  # as wide as a normal: nu = infinity
        return -stats.norm.logpdf(y, mean, sd)
    nu = optimize.brentq(g, 2 + 1e-9, 1e7, xtol=1e-12)
    return -stats.t.logpdf(y, nu, mean, sd * math.sqrt((nu - 2) / nu))


def main():
    y = series()
    n = len(y)
    n0 = n // 2
    d, m = fit(y[:n0])
    hmm = dict(states=d, transition=m.transmat_.ravel().tolist(), initial=m.startprob_.tolist(),
               means=m.means_.ravel().tolist(), variances=m.covars_.reshape(d, -1)[:, 0].tolist())
    base = open(CFG).read()
    cfg = os.path.join(tempfile.mkdtemp(), "regimes.yaml")
    body = "".join(f"    {k}: {json.dumps(v)}\n" for k, v in hmm.items())
    extra = ("  returns-forward:\n    kind: forward\n    match: \"returns-forward/\"\n" + body +
             "  returns-dual:\n    kind: dual\n    match: \"returns-dual/\"\n    window: 16\n" + body)
    lines = base.splitlines(keepends=True)
    models_line = next(i for i, l in enumerate(lines) if l.startswith("models:"))
    lines[models_line] = lines[models_line].rstrip().rstrip("]") + ", returns-forward, returns-dual]\n"
    model_block = next(i for i, l in enumerate(lines) if l.startswith("model:"))
    lines.insert(model_block + 1, extra)
    open(cfg, "w").write("".join(lines))
    rows = []
    for label, model in (("rls AR(4) (`series`)", "series"), (f"Gaussian HMM d={d}, `forward`", "returns-forward"),
                         (f"Gaussian HMM d={d}, `dual` H=16", "returns-dual")):
        mean, var, lo, hi, surprise = columns(replay(cfg, model, y), n)
        s = slice(n0, n)
        e = y[s] - mean[s]
        gauss = np.mean(0.5 * np.log(2 * np.pi * var[s]) + e ** 2 / (2 * var[s]))
        if model == "series":
            exact = np.mean([student_nlpd(y[t], mean[t], var[t], lo[t], hi[t]) for t in range(n0, n)])
        else:
            exact = np.mean(surprise[s])
        cover = np.mean((y[s] >= lo[s]) & (y[s] <= hi[s]))
        rows.append((label, exact, gauss, cover, math.sqrt(np.mean(e ** 2))))
    out = [f"Daily returns (sp500_ew, n = {n}, second half scored). HMM fitted on the first half by hmmlearn "
           f"{__import__('hmmlearn').__version__} Baum–Welch (d = {d} by BIC over d ∈ {{2, 3}}): means "
           f"{np.round(hmm['means'], 3).tolist()}, variances {np.round(hmm['variances'], 3).tolist()}, "
           f"staying probabilities {np.round(np.diag(m.transmat_), 4).tolist()}. Regenerate: `docs/bench/forecast.sh`.",
           "", "| model | exact NLPD | Gaussian NLPD | 90 % coverage | RMSE |", "|---|---|---|---|---|"]
    for label, exact, gauss, cover, rmse in rows:
        out.append(f"| {label} | {exact:.4f} | {gauss:.4f} | {cover:.3f} | {rmse:.4f} |")
    block = "\n".join(out)
    print(block)
    forecast.rewrite_block(BEGIN, END, block)


if __name__ == "__main__":
    main()
