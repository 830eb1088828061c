#!/usr/bin/env python3
"""One-step-ahead prequential forecasting benchmark on real series shipped inside PyPI packages.

Usage: forecast.py PREDICTORD_BINARY CONFIG MODEL OUTDIR   (run docs/bench/forecast.sh, which sets everything up)

Every series is run through predictord (`predictord replay --config CONFIG --model MODEL`) and a set of Python
baselines. Every configuration is chosen on the first half of the series only (rules in docs/forecasting.md);
scores are over the second half. Prints the result tables, rewrites the block between the markers of
docs/forecasting.md and writes one PNG per series to docs/forecasting/.
"""
import datetime
import importlib.metadata as md
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

BIN, CFG, MODEL, ROOT = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
DOC = os.path.join(ROOT, "docs", "forecasting.md")
PLOTS = os.path.join(ROOT, "docs", "forecasting")
BEGIN, END = "<!-- forecast:begin -->", "<!-- forecast:end -->"
Z90 = 1.6448536269514722
SP = os.path.dirname(os.path.dirname(np.__file__))  # site-packages of the venv
# Whether the measured binary carries the Swift runtime itself (install.sh's build) or loads it from the toolchain.
STATIC = "libswiftCore.so" not in subprocess.run(["ldd", BIN], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout


# ---------------------------------------------------------------- data (files inside the installed packages)
def pkgfile(*parts):
    return os.path.join(SP, *parts)


def load_series():
    """name -> (y, season period, exog or None, description). Every file ships inside a PyPI wheel."""
    S = {}
    a = pd.read_csv(pkgfile("river", "datasets", "airline-passengers.csv"))
    S["airline"] = (a["passengers"].to_numpy(float), 12, None)

    c = pd.read_csv(pkgfile("statsmodels", "datasets", "co2", "co2.csv"))
    c.index = pd.to_datetime(c["date"].astype(str), format="%Y%m%d")
    cm = c["co2"].resample("MS").mean().interpolate(method="linear")  # weekly -> monthly mean; empty months interpolated
    S["co2"] = (cm.to_numpy(float), 12, None)

    e = pd.read_csv(pkgfile("statsmodels", "datasets", "elnino", "elnino.csv"))
    S["elnino"] = (e.iloc[:, 1:].to_numpy(float).ravel(), 12, None)  # row-major: Jan..Dec of each year

    s = pd.read_csv(pkgfile("statsmodels", "datasets", "sunspots", "sunspots.csv"))
    S["sunspots"] = (s["SUNACTIVITY"].to_numpy(float), 1, None)

    n = pd.read_csv(pkgfile("statsmodels", "datasets", "nile", "nile.csv"))
    S["nile"] = (n["volume"].to_numpy(float), 1, None)

    ly = pd.read_csv(pkgfile("sktime", "datasets", "data", "Lynx", "Lynx.csv"))
    S["lynx"] = (ly.iloc[:, 1].to_numpy(float), 1, None)

    ee = pd.read_csv(pkgfile("statsmodels", "datasets", "elec_equip", "elec_equip.csv"))
    S["elec_equip"] = (ee.iloc[:, 1].to_numpy(float), 12, None)

    w = pd.read_csv(pkgfile("river", "datasets", "water-flow.csv"))
    S["waterflow"] = (w.iloc[:, 1].to_numpy(float), 24, None)

    sp = pd.read_csv(pkgfile("river", "datasets", "sp500.csv.gz"))
    S["sp500_ew"] = (sp.iloc[:, 1:11].mean(axis=1).to_numpy(float), 1, None)  # equal-weight daily return, %

    # with regressors: the previous period's regressors (known when the forecast is made) predict this period's y
    u = pd.read_csv(pkgfile("sktime", "datasets", "data", "Uschange", "Uschange.csv"))
    ux = u[["Income", "Production", "Savings", "Unemployment"]].to_numpy(float)
    S["uschange_cons+x"] = (u["Consumption"].to_numpy(float)[1:], 1, ux[:-1])

    m = pd.read_csv(pkgfile("statsmodels", "datasets", "macrodata", "macrodata.csv"))
    g = lambda col: 400 * np.diff(np.log(m[col].to_numpy(float)))  # annualised quarterly growth, %
    mx = np.column_stack([g("realdpi"), g("realinv"), m["tbilrate"].to_numpy(float)[1:], m["unemp"].to_numpy(float)[1:]])
    S["macro_cons+x"] = (g("realcons")[1:], 1, mx[:-1])
    return S


# ---------------------------------------------------------------- helpers
class RunVar:
    """Predictive variance for methods without their own: mean squared one-step error so far (first half included)."""

    def __init__(self):
        self.s, self.k = 0.0, 0

    def get(self):
        return self.s / self.k if self.k else np.nan

    def add(self, err):
        if np.isfinite(err):
            self.s += err * err
            self.k += 1


def with_runvar(y, mean, start):
    """Variance from the method's own past one-step errors, counted from index max(start, n/4) on (before: NaN):
    the first quarter is warm-up, whose errors would inflate the variance for the whole run."""
    start = max(start, len(y) // 4)
    v = np.full(len(y), np.nan)
    rv = RunVar()
    for t in range(len(y)):
        v[t] = rv.get()
        if t >= start:
            rv.add(y[t] - mean[t])
    return v


def refit_points(n0, n):
    step = max(1, math.ceil((n - n0) / 10))  # parameters refit every 10 % of the test half
    return list(range(n0, n, step))


# ---------------------------------------------------------------- baselines: arrays mean[t], var[t] = forecast of y[t]
def naive(y, s, x, n0):
    mean = np.full(len(y), np.nan)
    mean[1:] = y[:-1]
    return mean, with_runvar(y, mean, 1)


def seasonal_naive(y, s, x, n0):
    s = max(s, 1)
    mean = np.full(len(y), np.nan)
    mean[s:] = y[:-s]
    return mean, with_runvar(y, mean, s)


def sarimax_select(y, s, x):
    from statsmodels.tsa.arima.model import ARIMA  # noqa: F401 (import check)
    from statsmodels.tsa.statespace.sarimax import SARIMAX
    from statsmodels.tsa.stattools import adfuller
    d = 1 if adfuller(y, autolag="AIC")[1] > 0.05 else 0
    D = 1 if s > 1 else 0
    seas = [(0, 1), (1, 0), (1, 1)] if s > 1 else [(0, 0)]
    best = None
    for p in (0, 1, 2):
        for q in (0, 1):
            for P, Q in seas:
                if p + q + P + Q == 0 and d + D == 0:
                    continue
                try:
                    trend = "c" if d + D == 0 else "n"
                    r = SARIMAX(y, exog=x, order=(p, d, q), seasonal_order=(P, D, Q, s if s > 1 else 0),
                                trend=trend).fit(disp=False, maxiter=50)
                    if best is None or r.aic < best[0]:
                        best = (r.aic, (p, d, q), (P, D, Q, s if s > 1 else 0), trend)
                except Exception:
                    pass
    return best[1:]


def sarimax(y, s, x, n0, chosen):
    from statsmodels.tsa.statespace.sarimax import SARIMAX
    order, sorder, trend = chosen
    mean, var = np.full(len(y), np.nan), np.full(len(y), np.nan)
    pts = refit_points(n0, len(y))
    for i, k in enumerate(pts):
        end = pts[i + 1] if i + 1 < len(pts) else len(y)
        xk = None if x is None else x[:k]
        params = SARIMAX(y[:k], exog=xk, order=order, seasonal_order=sorder, trend=trend).fit(disp=False, maxiter=50).params
        full = SARIMAX(y, exog=x, order=order, seasonal_order=sorder, trend=trend).filter(params)
        pr = full.get_prediction(start=k, end=end - 1)  # one-step-ahead: y[t] given y[:t], parameters from y[:k]
        mean[k:end] = pr.predicted_mean
        var[k:end] = pr.var_pred_mean
    return mean, var


def ets_select(y, s):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    best = None
    for trend, damped in ((None, False), ("add", False), ("add", True)):
        for seas in ((None, "add") if s > 1 else (None,)):
            try:
                r = ETSModel(y, error="add", trend=trend, damped_trend=damped, seasonal=seas,
                             seasonal_periods=s if seas else None).fit(disp=False, maxiter=200)
                if best is None or r.aic < best[0]:
                    best = (r.aic, dict(trend=trend, damped_trend=damped, seasonal=seas, seasonal_periods=s if seas else None))
            except Exception:
                pass
    return best[1]


def ets(y, s, x, n0, spec):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    mean, var = np.full(len(y), np.nan), np.full(len(y), np.nan)
    pts = refit_points(n0, len(y))
    for i, k in enumerate(pts):
        end = pts[i + 1] if i + 1 < len(pts) else len(y)
        r = ETSModel(y[:k], error="add", **spec).fit(disp=False, maxiter=200)
        full = ETSModel(y, error="add", **spec).smooth(r.params)  # filter the whole series with y[:k]'s parameters
        mean[k:end] = full.fittedvalues[k:end]  # one-step: state after y[:t]
        var[k:end] = r.mse  # additive-error ETS: one-step predictive variance = sigma^2 (estimated on y[:k])
    return mean, var


def theta(y, s, x, n0):
    from statsmodels.tsa.forecasting.theta import ThetaModel
    mean, var = np.full(len(y), np.nan), np.full(len(y), np.nan)
    method = "multiplicative" if np.all(y > 0) else "additive"
    for t in range(n0, len(y)):  # cheap: refit at every step
        r = ThetaModel(y[:t], period=s if s > 1 else None, deseasonalize=s > 1 and t >= 2 * s,
                       method=method).fit()
        mean[t] = float(np.asarray(r.forecast(1))[0])
        pi = np.asarray(r.prediction_intervals(1, alpha=0.1))[0]
        var[t] = ((pi[1] - pi[0]) / (2 * Z90)) ** 2
    return mean, var


def river_loop(make, y, x=None):
    m = make()
    mean = np.full(len(y), np.nan)
    for t in range(len(y)):
        try:
            mean[t] = m.forecast(horizon=1)[0] if x is None else m.forecast(horizon=1, xs=[xd(x[t])])[0]
        except Exception:
            pass
        if x is None:
            m.learn_one(float(y[t]))
        else:
            m.learn_one(float(y[t]), x=xd(x[t]))
    return mean


def xd(row):
    return {f"x{i}": float(v) for i, v in enumerate(row)}


def snarimax_make(chosen):
    from river import time_series
    (p, d, q), (P, D, Q, s), _ = chosen
    return lambda: time_series.SNARIMAX(p=max(p, 1), d=d, q=q, m=max(s, 1), sp=P, sd=D, sq=Q)


def river_snarimax(y, s, x, n0, chosen):
    mean = river_loop(snarimax_make(chosen), y, x)
    return mean, with_runvar(y, mean, 0)


def holtwinters_select(y, s):
    from river import time_series
    best = None
    for a in (0.2, 0.5, 0.8):
        for b in ((0.05, 0.2) if s > 1 else (None, 0.05, 0.2)):  # river: beta must be set when gamma is
            for g in ((0.1, 0.3) if s > 1 else (None,)):
                mk = lambda a=a, b=b, g=g: time_series.HoltWinters(alpha=a, beta=b, gamma=g, seasonality=s if g else 0)
                m = river_loop(mk, y)
                e = y - m
                mse = np.nanmean(e[len(y) // 4:] ** 2)  # skip the warm-up quarter of the first half
                if np.isfinite(mse) and (best is None or mse < best[0]):
                    best = (mse, (a, b, g))
    return best[1]


def river_holtwinters(y, s, x, n0, abg):
    from river import time_series
    a, b, g = abg
    mean = river_loop(lambda: time_series.HoltWinters(alpha=a, beta=b, gamma=g, seasonality=s if g else 0), y)
    return mean, with_runvar(y, mean, 0)


def river_lagreg(y, s, x, n0):
    """river StandardScaler | LinearRegression on lags 1..4 (and s, s+1 if seasonal), plus the regressors."""
    from river import linear_model, preprocessing, optim
    lags = [1, 2, 3, 4] + ([s, s + 1] if s > 1 else [])
    m = preprocessing.StandardScaler() | linear_model.LinearRegression(optimizer=optim.SGD(0.01))
    mean = np.full(len(y), np.nan)
    for t in range(len(y)):
        if t < max(lags):
            continue
        f = {f"l{l}": float(y[t - l]) for l in lags}
        if x is not None:
            f.update(xd(x[t]))
        mean[t] = m.predict_one(f)
        m.learn_one(f, float(y[t]))
    return mean, with_runvar(y, mean, max(lags))


# ---------------------------------------------------------------- predictord
def replay(path, model=None, sets=()):
    args = [BIN, "replay", "--config", CFG, "--model", model or MODEL]
    for o in sets:
        args += ["--set", o]
    out = subprocess.run(args + [path], check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if " 0 dropped" not in out.stderr:
        sys.exit(f"predictord replay dropped lines: {out.stderr}")
    return [json.loads(l) for l in out.stdout.splitlines()]


def interval_of(p):
    iv = p.get("interval")
    if iv is None:
        return None
    if isinstance(iv, dict):
        lo, hi = iv.get("lo", iv.get("lower")), iv.get("hi", iv.get("upper"))
    else:
        lo, hi = iv[0], iv[1]
    return (float(lo), float(hi)) if lo is not None and hi is not None else None


def num(v):
    if isinstance(v, list):
        v = v[0]
    return np.nan if v is None else float(v)


def predictord(y, tmp, name):
    path = os.path.join(tmp, f"{name}.jsonl")
    with open(path, "w") as f:
        for i, v in enumerate(y):
            f.write(json.dumps({"seq": i, "y": float(v)}) + "\n")
    preds = replay(path)
    assert len(preds) == len(y), (len(preds), len(y))
    mean, var = np.full(len(y), np.nan), np.full(len(y), np.nan)
    lo, hi = np.full(len(y), np.nan), np.full(len(y), np.nan)
    has_iv = False
    for p in preds:
        t = p["seq"]  # the prediction after observation seq-1 is the forecast of y[seq]
        if t >= len(y):
            continue
        mean[t] = num(p.get("mean"))
        var[t] = num(p.get("var"))
        iv = interval_of(p)
        if iv:
            has_iv = True
            lo[t], hi[t] = iv
    return mean, var, (lo, hi) if has_iv else None


# ---------------------------------------------------------------- predictord softmax (forecasting form)
SOFTMAX_MODEL = "kernel"  # the bundled softmax model, reconfigured with --set


def softmax_sets(L, d, D, s, beta, kernel):
    m = f"model.{SOFTMAX_MODEL}"
    return [f"{m}.lags={L}", f"{m}.bias=false", f"{m}.window=256", f"{m}.standardize=true", f"{m}.kernel={kernel}",
            f"{m}.beta={beta}", f"{m}.difference={d}", f"{m}.seasonal_difference={D}", f"{m}.season={max(s, 1) if D else 1}"]


def softmax_replay(y, tmp, name, cfg):
    path = os.path.join(tmp, f"{name}-softmax.jsonl")
    with open(path, "w") as f:
        for i, v in enumerate(y):
            f.write(json.dumps({"seq": i, "y": float(v)}) + "\n")
    mean, var = np.full(len(y), np.nan), np.full(len(y), np.nan)
    lo, hi = np.full(len(y), np.nan), np.full(len(y), np.nan)
    for p in replay(path, SOFTMAX_MODEL, softmax_sets(*cfg)):
        t = p["seq"]
        if t < len(y):
            mean[t], var[t] = num(p.get("mean")), num(p.get("var"))
            iv = interval_of(p)
            if iv:
                lo[t], hi[t] = iv
    return mean, var, (lo, hi) if np.isfinite(lo).any() else None


def softmax_select(y, s, tmp, name):
    """Lowest NLPD on the first half (its first quarter skipped as warm-up) over lags, d, D, beta and the kernel."""
    best = None
    for L in (1, 2, 4, 12):
        for d in (0, 1):
            for D in ((0, 1) if s > 1 else (0,)):
                for beta in (0.25, 1, 4):
                    for kernel in ("distance", "dot"):
                        cfg = (L, d, D, s, beta, kernel)
                        m, v, iv = softmax_replay(y, tmp, name, cfg)
                        r = score(y, m, v, len(y) // 2, iv)
                        if np.isfinite(r["NLPD"]) and (best is None or r["NLPD"] < best[0]):
                            best = (r["NLPD"], cfg)
    return best[1]


# ---------------------------------------------------------------- scoring
def score(y, mean, var, n0, iv=None):
    yt, m, v = y[n0:], mean[n0:], var[n0:]
    e = yt - m
    ok = np.isfinite(m)
    rmse = math.sqrt(np.mean(e[ok] ** 2)) if ok.any() else np.nan
    mae = np.mean(np.abs(e[ok])) if ok.any() else np.nan
    if iv is not None:
        lo, hi = iv[0][n0:], iv[1][n0:]
        okv = ok & np.isfinite(lo) & np.isfinite(hi)
        cov = np.mean((yt[okv] >= lo[okv]) & (yt[okv] <= hi[okv])) if okv.any() else np.nan
        v = np.where(okv, ((hi - lo) / (2 * Z90)) ** 2, v)  # NLPD: Gaussian with the interval's implied variance
    else:
        okv = ok & np.isfinite(v) & (v > 0)
        cov = np.mean(np.abs(e[okv]) <= Z90 * np.sqrt(v[okv])) if okv.any() else np.nan
    okv = ok & np.isfinite(v) & (v > 0)
    nlpd = np.mean(0.5 * np.log(2 * np.pi * v[okv]) + e[okv] ** 2 / (2 * v[okv])) if okv.any() else np.nan
    missing = int((~ok).sum()) + int((ok & ~okv).sum())
    return dict(RMSE=rmse, MAE=mae, COV90=cov, NLPD=nlpd, missing=missing)


def plot(name, y, mean, var, iv, n0, label):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    t = np.arange(len(y))
    fig, ax = plt.subplots(figsize=(9, 3.6), dpi=90)
    ax.plot(t, y, color="black", lw=0.8, label="observed")
    tt = t[n0:]
    ax.plot(tt, mean[n0:], color="tab:blue", lw=0.9, label=f"predictord {label} one-step mean")
    if iv is not None:
        lo, hi = iv[0][n0:], iv[1][n0:]
    else:
        sd = np.sqrt(var[n0:])
        lo, hi = mean[n0:] - Z90 * sd, mean[n0:] + Z90 * sd
    ax.fill_between(tt, lo, hi, color="tab:blue", alpha=0.25, lw=0, label="90 % interval")
    ax.axvline(n0, color="grey", ls=":", lw=0.8)
    ax.set_title(f"{name}: one-step-ahead prequential, second half scored")
    ax.set_xlabel("index")
    ax.legend(loc="best", fontsize=7)
    lo_y, hi_y = np.nanmin(y), np.nanmax(y)
    pad = 0.15 * (hi_y - lo_y)
    ax.set_ylim(lo_y - pad, hi_y + pad)
    fig.tight_layout()
    fig.savefig(os.path.join(PLOTS, f"{name}.png"))
    plt.close(fig)


# ---------------------------------------------------------------- main
def fmt(v, d=4):
    if v is None or not np.isfinite(v):
        return "–"
    return f"{v:.{d}g}"


def main():
    os.makedirs(PLOTS, exist_ok=True)
    S = load_series()
    methods = ["predictord", "predictord softmax", "naive", "seasonal naive", "SARIMAX", "ETS", "Theta",
               "river SNARIMAX", "river HoltWinters", "river LinReg lags"]
    res, chosen_rows, t_start = {}, [], time.time()
    tmp = tempfile.mkdtemp()
    for name, (y, s, x) in S.items():
        n = len(y)
        n0 = n // 2
        t0 = time.time()
        first = y[:n0]
        xf = None if x is None else x[:n0]
        ch = sarimax_select(first, s, xf)
        etsspec = ets_select(first, s)
        hw = holtwinters_select(first, s)
        sm = softmax_select(first, s, tmp, name) if x is None else None
        chosen_rows.append((name, n, s, "yes" if x is not None else "no", ch, etsspec, hw, sm))
        r = {}
        pm, pv, piv = predictord(y, tmp, name)
        r["predictord"] = score(y, pm, pv, n0, piv)
        plot(name, y, pm, pv, piv, n0, MODEL)
        if sm:
            smm, smv, smiv = softmax_replay(y, tmp, name, sm)
            r["predictord softmax"] = score(y, smm, smv, n0, smiv)
        else:
            r["predictord softmax"] = None
        r["naive"] = score(y, *naive(y, s, x, n0), n0)
        r["seasonal naive"] = score(y, *seasonal_naive(y, s, x, n0), n0) if s > 1 else None
        r["SARIMAX"] = score(y, *sarimax(y, s, x, n0, ch), n0)
        r["ETS"] = score(y, *ets(y, s, x, n0, etsspec), n0) if x is None else None
        r["Theta"] = score(y, *theta(y, s, x, n0), n0) if x is None else None
        r["river SNARIMAX"] = score(y, *river_snarimax(y, s, x, n0, ch), n0)
        r["river HoltWinters"] = score(y, *river_holtwinters(y, s, x, n0, hw), n0) if x is None else None
        r["river LinReg lags"] = score(y, *river_lagreg(y, s, x, n0), n0)
        res[name] = r
        print(f"{name}: n={n} s={s} done in {time.time() - t0:.1f}s", file=sys.stderr, flush=True)

    # timing: predictord replay vs river SNARIMAX loop on the longest series, in one run: the median of five
    # alternated rounds. predictord is timed as a whole process (`replay` of the series, its output not parsed)
    # and, like river's loop (timed inside Python, after import), without process start and configuration
    # loading: the whole process minus a `replay` of the series' first line.
    longest = max(S, key=lambda k: len(S[k][0]))
    y, s, _ = S[longest]
    ch = next(c[4] for c in chosen_rows if c[0] == longest)
    path = os.path.join(tmp, f"{longest}.jsonl")
    first = os.path.join(tmp, f"{longest}.first.jsonl")
    with open(path) as f, open(first, "w") as g:
        g.write(f.readline())

    def run_replay(p):
        t0 = time.perf_counter()
        subprocess.run([BIN, "replay", "--config", CFG, "--model", MODEL, p], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - t0

    rounds = []
    for _ in range(5):
        whole, start = run_replay(path), run_replay(first)
        t0 = time.perf_counter()
        river_loop(snarimax_make(ch), y)
        rounds.append((whole, start, time.perf_counter() - t0))
    t_pd, t_boot, t_rv = (float(np.median([r[i] for r in rounds])) for i in range(3))
    t_loop = float(np.median([r[0] - r[1] for r in rounds]))

    lines = []
    vers = ", ".join(f"{p} {md.version(p)}" for p in ("statsmodels", "sktime", "river", "numpy", "pandas", "scipy", "matplotlib"))
    lines.append(f"Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
                 f"Python {platform.python_version()}; {vers}. predictord model `{MODEL}` of `{os.path.relpath(CFG, ROOT) if CFG.startswith(ROOT) else CFG}`. "
                 f"Whole run {time.time() - t_start:.0f} s. Regenerate: `docs/bench/forecast.sh`.")
    lines.append("")
    lines.append("Configurations chosen on the first half:")
    lines.append("")
    lines.append("| series | n | period | regressors | SARIMAX (p,d,q)(P,D,Q,s) trend | ETS (additive error) | river HoltWinters α, β, γ | softmax lags, d, D, β, kernel |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for name, n, s, hx, c, e, hw, sm in chosen_rows:
        es = f"trend {e['trend'] or 'none'}{' damped' if e['damped_trend'] else ''}, season {e['seasonal'] or 'none'}"
        sms = f"{sm[0]}, {sm[1]}, {sm[2]}, {sm[4]}, {sm[5]}" if sm else "–"
        lines.append(f"| {name} | {n} | {s} | {hx} | {c[0]}{c[1]} {c[2]} | {es} | {hw[0]}, {hw[1]}, {hw[2]} | {sms} |")
    lines.append("")
    for metric, title, d in (("RMSE", "RMSE (second half; lower is better)", 4), ("MAE", "MAE (second half)", 4),
                             ("COV90", "90 % interval coverage (second half; 0.90 is right)", 3),
                             ("NLPD", "mean negative log predictive density, Gaussian (second half; lower is better)", 4)):
        lines.append(f"**{title}**")
        lines.append("")
        lines.append("| series | " + " | ".join(methods) + " |")
        lines.append("|---|" + "---|" * len(methods))
        for name, r in res.items():
            cells = []
            vals = [r[m][metric] if r[m] else np.nan for m in methods]
            if metric in ("RMSE", "MAE", "NLPD"):
                finite = [v for v in vals if np.isfinite(v)]
                bestv = min(finite) if finite else None
            else:
                finite = [abs(v - 0.9) for v in vals if np.isfinite(v)]
                bestv = min(finite) if finite else None
            for v in vals:
                c = fmt(v, d)
                key = abs(v - 0.9) if metric == "COV90" else v
                if bestv is not None and np.isfinite(v) and key == bestv:
                    c = f"**{c}**"
                cells.append(c)
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    miss = [(n, m, r[m]["missing"]) for n, r in res.items() for m in methods if r[m] and r[m]["missing"]]
    if miss:
        lines.append("Scored steps without a mean or variance (left out of that cell's means): " +
                     ", ".join(f"{n}/{m} {k}" for n, m, k in miss) + ".")
        lines.append("")
    sr = [(r["predictord softmax"], r["naive"]) for r in res.values() if r["predictord softmax"]]
    lines.append(f"`predictord softmax` (forecasting form, configuration chosen on the first half) on the {len(sr)} univariate "
                 f"series: finite NLPD on {sum(np.isfinite(a['NLPD']) and a['missing'] == 0 for a, _ in sr)}, "
                 f"90 % coverage within [0.85, 0.95] on {sum(0.85 <= a['COV90'] <= 0.95 for a, _ in sr)}, "
                 f"RMSE below naive on {sum(a['RMSE'] < b['RMSE'] for a, b in sr)}.")
    lines.append("")
    lines.append(f"Speed, longest series ({longest}, {len(y)} steps, medians of 5 alternated rounds): river SNARIMAX "
                 f"learn/forecast loop {t_rv * 1000:.1f} ms; `predictord replay` as a whole process {t_pd * 1000:.1f} ms "
                 f"({'Swift runtime linked statically, as systemd/install.sh builds it' if STATIC else 'Swift runtime linked dynamically'}) "
                 f"(river time / predictord time = {t_rv / t_pd:.2f}), of which process start and configuration "
                 f"(a one-line replay) {t_boot * 1000:.1f} ms; the replay itself {t_loop * 1000:.1f} ms "
                 f"(river time / predictord time = {t_rv / t_loop:.2f}).")
    block = "\n".join(lines)
    print(block)
    rewrite_block(BEGIN, END, block)


def rewrite_block(begin, end, block):
    """Replaces the text between the markers `begin` and `end` of docs/forecasting.md by `block`."""
    doc = open(DOC).read()
    a, b = doc.index(begin) + len(begin), doc.index(end)
    open(DOC, "w").write(doc[:a] + "\n" + block + "\n" + doc[b:])


if __name__ == "__main__":
    main()
