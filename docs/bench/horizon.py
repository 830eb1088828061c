#!/usr/bin/env python3
"""h-step-ahead prequential forecasting benchmark: the forecast.py series, leads 1..H from every origin.

Usage: horizon.py PREDICTORD_BINARY CONFIG MODEL ROOT   (docs/bench/forecast.sh runs it after forecast.py)

At every origin t of the second half (after y[0..t-1]) each method forecasts y[t], ..., y[t+H-1]; lead k is scored
on the targets y[t+k-1] that exist. predictord runs its `forecast` model with `--set model.MODEL.horizon=H` (its
published `horizon` means, variances and 90 % intervals); the baselines are forecast.py's, with the configurations
forecast.py's rules choose on the first half: SARIMAX (h-step predictions of the Kalman filter from each origin,
parameters refit every 10 % of the test half), ETS (its h-step predictive variance), Theta (refit at every origin),
river SNARIMAX and HoltWinters (`forecast(horizon=H)`), naive and seasonal naive. Methods without their own variance
get the mean of their own squared lead-k errors known at the origin, counted from index n/4 on. Only the nine
univariate series: the regression series would need future regressors. Rewrites the block between the horizon
markers of docs/forecasting.md and writes docs/forecasting/horizon.png.
"""
import math
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import forecast  # noqa: E402 (same arguments: the series, the selection rules, replay and the doc-block writer)

warnings.filterwarnings("ignore")
H = 6
BEGIN, END = "<!-- horizon:begin -->", "<!-- horizon:end -->"
Z90 = forecast.Z90


def blank(n):
    return np.full((H, n), np.nan)


def runvar(y, mean):
    """var[k, j] for lead k+1: mean squared lead-(k+1) error over targets i in [n/4, j-k-1], i.e. known at the
    origin j-k of the forecast of y[j]."""
    n = len(y)
    var = blank(n)
    for k in range(H):
        e2 = (y - mean[k]) ** 2
        s, c = 0.0, 0
        for j in range(n):
            i = j - k - 1  # the newest target whose lead-(k+1) error is known at origin j-k
            if i >= n // 4 and np.isfinite(e2[i]):
                s, c = s + e2[i], c + 1
            var[k, j] = s / c if c else np.nan
    return var


# ---------------------------------------------------------------- methods: mean[k, j], var[k, j] = lead-(k+1) forecast of y[j]
def naive(y, s, n0):
    n, mean = len(y), blank(len(y))
    for k in range(H):
        mean[k, k + 1:] = y[:n - k - 1]
    return mean, runvar(y, mean)


def seasonal_naive(y, s, n0):
    n, mean = len(y), blank(len(y))
    for k in range(H):
        back = s * math.ceil((k + 1) / s)  # the same season in the last observed cycle
        mean[k, back:] = y[:n - back]
    return mean, runvar(y, mean)


def sarimax(y, s, n0, chosen):
    """Kalman h-step predictions from the filter's predicted state at each origin (time-invariant system); lead 1 is
    checked against statsmodels' own one-step prediction."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX
    order, sorder, trend = chosen
    n = len(y)
    mean, var = blank(n), blank(n)
    pts = forecast.refit_points(n0, n)
    for i, k0 in enumerate(pts):
        end = pts[i + 1] if i + 1 < len(pts) else n
        params = SARIMAX(y[:k0], order=order, seasonal_order=sorder, trend=trend).fit(disp=False, maxiter=50).params
        full = SARIMAX(y, order=order, seasonal_order=sorder, trend=trend).filter(params)
        fr = full.filter_results
        Z, d, Hc = fr.design[0, :, 0], fr.obs_intercept[0, 0], fr.obs_cov[0, 0, 0]
        T, c, R, Q = fr.transition[:, :, 0], fr.state_intercept[:, 0], fr.selection[:, :, 0], fr.state_cov[:, :, 0]
        RQR = R @ Q @ R.T
        one = full.get_prediction(start=k0, end=end - 1)
        for t in range(k0, end):
            a, P = fr.predicted_state[:, t].copy(), fr.predicted_state_cov[:, :, t].copy()
            for k in range(H):
                if t + k < n:
                    mean[k, t + k] = Z @ a + d
                    var[k, t + k] = Z @ P @ Z + Hc
                a, P = T @ a + c, T @ P @ T.T + RQR
        m1 = np.asarray(one.predicted_mean)
        assert np.allclose(mean[0, k0:end], m1, rtol=1e-9, atol=1e-9 * np.abs(m1).max()), "SARIMAX lead 1 != one-step"
    return mean, var


def ets(y, s, n0, spec):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    n = len(y)
    mean, var = blank(n), blank(n)
    pts = forecast.refit_points(n0, n)
    for i, k0 in enumerate(pts):
        end = pts[i + 1] if i + 1 < len(pts) else n
        params = ETSModel(y[:k0], error="add", **spec).fit(disp=False, maxiter=200).params
        for t in range(k0, end):
            r = ETSModel(pd.Series(y[:t]), error="add", **spec).smooth(params)
            p = r.get_prediction(start=t, end=t + H - 1)
            pm, pv = np.asarray(p.predicted_mean), np.asarray(p.forecast_variance)
            for k in range(H):
                if t + k < n:
                    mean[k, t + k], var[k, t + k] = pm[k], pv[k]
    return mean, var


def theta(y, s, n0):
    from statsmodels.tsa.forecasting.theta import ThetaModel
    n = len(y)
    mean, var = blank(n), blank(n)
    method = "multiplicative" if np.all(y > 0) else "additive"
    for t in range(n0, n):
        r = ThetaModel(y[:t], period=s if s > 1 else None, deseasonalize=s > 1 and t >= 2 * s, method=method).fit()
        fm = np.asarray(r.forecast(H))
        pi = np.asarray(r.prediction_intervals(H, alpha=0.1))
        for k in range(H):
            if t + k < n:
                mean[k, t + k] = fm[k]
                var[k, t + k] = ((pi[k, 1] - pi[k, 0]) / (2 * Z90)) ** 2
    return mean, var


def river_loop(make, y):
    n, m, mean = len(y), make(), blank(len(y))
    for t in range(n):
        try:
            f = m.forecast(horizon=H)
            for k in range(H):
                if t + k < n:
                    mean[k, t + k] = f[k]
        except Exception:
            pass
        m.learn_one(float(y[t]))
    return mean


def river_snarimax(y, s, n0, chosen):
    mean = river_loop(forecast.snarimax_make(chosen), y)
    return mean, runvar(y, mean)


def river_holtwinters(y, s, n0, abg):
    from river import time_series
    a, b, g = abg
    mean = river_loop(lambda: time_series.HoltWinters(alpha=a, beta=b, gamma=g, seasonality=s if g else 0), y)
    return mean, runvar(y, mean)


def predictord(y, tmp, name):
    """The model's published `horizon` block at every origin; its first entry must be the one-step prediction."""
    n = len(y)
    path = os.path.join(tmp, f"{name}.jsonl")
    with open(path, "w") as f:
        for i, v in enumerate(y):
            f.write(f'{{"seq":{i},"y":{float(v)!r}}}\n')
    mean, var, lo, hi = blank(n), blank(n), blank(n), blank(n)
    for p in forecast.replay(path, sets=[f"model.{forecast.MODEL}.horizon={H}"]):
        t, h = p["seq"], p.get("horizon")
        if h is None:
            continue
        assert h["mean"][0] is None or h["mean"][0] == p["mean"], "horizon lead 1 differs from the one-step mean"
        iv = h.get("interval", {}).get("0.9")
        for k in range(H):
            if t + k < n and h["mean"][k] is not None:
                mean[k, t + k], var[k, t + k] = h["mean"][k], h["var"][k]
                if iv:
                    lo[k, t + k], hi[k, t + k] = iv[0][k], iv[1][k]
    return mean, var, (lo, hi)


# ---------------------------------------------------------------- scoring: origins in the second half only
def score(y, mean, var, n0, k, iv=None):
    """forecast.score over the lead-(k+1) targets whose origin lies in the second half."""
    lo_hi = None if iv is None else (iv[0][k], iv[1][k])
    r = forecast.score(y, mean[k], var[k], n0 + k, lo_hi)
    return r


def plot(panels, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    cols = 3
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(12, 2.6 * rows), dpi=80)
    for ax, (name, y, n0, m, lo, hi) in zip(axes.ravel(), panels):
        t = np.arange(len(y))
        a = max(n0, len(y) - 120)  # the last 120 points of the second half
        ax.plot(t[a:], y[a:], color="black", lw=0.8, label="observed")
        ax.plot(t[a:], m[a:], color="tab:orange", lw=0.9, label=f"predictord mean {H} steps ahead")
        ax.fill_between(t[a:], lo[a:], hi[a:], color="tab:orange", alpha=0.25, lw=0, label="90 % interval")
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[len(panels):]:
        ax.axis("off")
    axes.ravel()[0].legend(loc="best", fontsize=6)
    fig.suptitle(f"lead {H}: the forecast of y[t] made after y[t-{H}] (last 120 points of each second half)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main():
    import tempfile
    S = {k: v for k, v in forecast.load_series().items() if v[2] is None}
    methods = ["predictord", "naive", "seasonal naive", "SARIMAX", "ETS", "Theta", "river SNARIMAX", "river HoltWinters"]
    res, panels, t_start = {}, [], time.time()
    tmp = tempfile.mkdtemp()
    for name, (y, s, _) in S.items():
        t0 = time.time()
        n0 = len(y) // 2
        first = y[:n0]
        ch = forecast.sarimax_select(first, s, None)
        runs = {}
        pm, pv, piv = predictord(y, tmp, name)
        runs["predictord"] = (pm, pv, piv)
        runs["naive"] = (*naive(y, s, n0), None)
        if s > 1:
            runs["seasonal naive"] = (*seasonal_naive(y, s, n0), None)
        runs["SARIMAX"] = (*sarimax(y, s, n0, ch), None)
        runs["ETS"] = (*ets(y, s, n0, forecast.ets_select(first, s)), None)
        runs["Theta"] = (*theta(y, s, n0), None)
        runs["river SNARIMAX"] = (*river_snarimax(y, s, n0, ch), None)
        runs["river HoltWinters"] = (*river_holtwinters(y, s, n0, forecast.holtwinters_select(first, s)), None)
        res[name] = {m: [score(y, r[0], r[1], n0, k, r[2]) for k in range(H)] if r else None
                     for m, r in ((m, runs.get(m)) for m in methods)}
        panels.append((name, y, n0, pm[H - 1], piv[0][H - 1], piv[1][H - 1]))
        print(f"horizon {name}: done in {time.time() - t0:.1f}s", file=sys.stderr, flush=True)
    plot(panels, os.path.join(forecast.PLOTS, "horizon.png"))

    lines = [f"Leads 1…{H} from every origin of the second half, the {len(S)} univariate series; predictord model "
             f"`{forecast.MODEL}` with `--set model.{forecast.MODEL}.horizon={H}`. Whole run {time.time() - t_start:.0f} s. "
             "Regenerate: `docs/bench/forecast.sh`.", ""]
    for metric, title, d in (("RMSE", f"RMSE at lead {H} (lower is better)", 4), ("MAE", f"MAE at lead {H}", 4),
                             ("COV90", f"90 % interval coverage at lead {H} (0.90 is right)", 3),
                             ("NLPD", f"mean negative log predictive density at lead {H}, Gaussian (lower is better)", 4)):
        lines += [f"**{title}**", "", "| series | " + " | ".join(methods) + " |", "|---|" + "---|" * len(methods)]
        for name, r in res.items():
            vals = [r[m][H - 1][metric] if r[m] else np.nan for m in methods]
            key = (lambda v: abs(v - 0.9)) if metric == "COV90" else (lambda v: v)
            finite = [key(v) for v in vals if np.isfinite(v)]
            best = min(finite) if finite else None
            cells = [f"**{forecast.fmt(v, d)}**" if np.isfinite(v) and key(v) == best else forecast.fmt(v, d) for v in vals]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += [f"**predictord's RMSE / the best baseline's at each lead** (below 1: predictord is best)", "",
              "| series | " + " | ".join(f"lead {k + 1}" for k in range(H)) + " | best baseline at lead " + f"{H} |",
              "|---|" + "---|" * (H + 1)]
    for name, r in res.items():
        cells = []
        for k in range(H):
            base = [(r[m][k]["RMSE"], m) for m in methods[1:] if r[m] and np.isfinite(r[m][k]["RMSE"])]
            cells.append(forecast.fmt(r["predictord"][k]["RMSE"] / min(base)[0], 3))
        best = min((r[m][H - 1]["RMSE"], m) for m in methods[1:] if r[m] and np.isfinite(r[m][H - 1]["RMSE"]))[1]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {best} |")
    lines.append("")
    inrange = sum(0.85 <= r["predictord"][H - 1]["COV90"] <= 0.95 for r in res.values())
    below = sum(r["predictord"][H - 1]["NLPD"] < r["SARIMAX"][H - 1]["NLPD"] for r in res.values())
    lines.append(f"At lead {H}, predictord's 90 % coverage lies in [0.85, 0.95] on {inrange} of {len(res)} series and "
                 f"its NLPD is below SARIMAX's on {below} of {len(res)}.")
    block = "\n".join(lines)
    print(block)
    forecast.rewrite_block(BEGIN, END, block)


if __name__ == "__main__":
    main()
