#!/usr/bin/env python3
"""predictord side by side with numpy, padasip, river and hmmlearn on the data of gen_data.py.

Usage: compare.py PREDICTORD_BINARY DATADIR   (run docs/bench/compare.sh, which sets everything up)
The core speed figures come from `predictord-bench core`, the tooling binary next to PREDICTORD_BINARY.
Prints one markdown table (accuracy rows, then speed rows) preceded by the run's provenance.
"""
import datetime
import importlib.metadata as md
import json
import os
import platform
import re
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_data as G  # noqa: E402  (the constants: P, N, NOISE, W_TRUE, A, C, MU, LAMBDA_DRIFT, DELTA, ...)

BIN, DATA = sys.argv[1], sys.argv[2]
BENCH = os.path.join(os.path.dirname(BIN), "predictord-bench")
CFG = os.path.join(DATA, "compare.yaml")
PREFIX_STEPS = 500        # numpy lstsq refit on every prefix, for the first PREFIX_STEPS pairs
HMM_PREFIX = 300          # hmmlearn public-API predictive distributions on every prefix of sequence 0
rows = []                 # (section, what, predictord, library, library value, difference / ratio)


def row(*cells):
    rows.append(tuple(str(c) for c in cells))


def ratio(v):
    return f"{v:,.0f}×" if v >= 10 else f"{v:.2f}×"


def g(v, d=4):
    return f"{v:.{d}g}"


def e(v):
    return f"{v:.1e}"


def replay(model, path, overrides=()):
    sets = [a for o in overrides for a in ("--set", o)]
    out = subprocess.run([BIN, "replay", "--config", CFG, "--model", model, *sets, path], check=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if " 0 dropped" not in out.stderr:
        sys.exit(f"predictord replay dropped lines: {out.stderr}")
    return [json.loads(line) for line in out.stdout.splitlines()]


def rls_outputs(model, path, n, overrides=()):
    """Innovation of each y (y − the prediction made before seeing it), refit `mean` at x, and the final weights."""
    lines = replay(model, path, overrides)
    assert len(lines) == n + G.P, (len(lines), n)
    pairs, queries = lines[:n], lines[n:]
    return (np.array([p["error"] for p in pairs]), np.array([p["mean"] for p in pairs]),
            np.array([q["mean"] for q in queries]))


# ---------------------------------------------------------------- reference implementations
def numpy_rls(X, y, lam, delta):
    """RLS written directly with numpy, one step at a time (the loop a numpy user writes)."""
    p = X.shape[1]
    P = np.eye(p) / delta
    w = np.zeros(p)
    pred = np.empty(len(y))
    for t in range(len(y)):
        x = X[t]
        pred[t] = w @ x
        u = P @ x
        c = 1.0 / (lam + x @ u)
        w = w + (c * (y[t] - pred[t])) * u
        P = (P - c * np.outer(u, u)) / lam
    return pred


def padasip_rls(X, y, **kw):
    import padasip as pa
    f = pa.filters.FilterRLS(X.shape[1], **kw)
    pred = np.empty(len(y))
    for t in range(len(y)):
        pred[t] = f.predict(X[t])
        f.adapt(y[t], X[t])
    return pred


def river_dicts(X):
    return [{f"x{i}": float(v) for i, v in enumerate(row[:-1])} for row in X]  # no constant: river fits an intercept


def river_prequential(make, dicts, y):
    model = make()  # a fresh model per call: timed() repeats the call
    pred = np.empty(len(y))
    for t, (x, yt) in enumerate(zip(dicts, y)):
        pred[t] = model.predict_one(x)
        model.learn_one(x, float(yt))
    return pred


def river_models():
    from river import linear_model, preprocessing
    return [("river LinearRegression() (SGD lr 0.01, intercept)", lambda: linear_model.LinearRegression()),
            ("river StandardScaler() | LinearRegression()",
             lambda: preprocessing.StandardScaler() | linear_model.LinearRegression())]


REPEATS = 3               # every speed figure is the best of 3 runs (the machine is shared)


def timed(fn, *a, **kw):
    """Result of fn and its best wall time over REPEATS runs."""
    best = float("inf")
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        r = fn(*a, **kw)
        best = min(best, time.perf_counter() - t0)
    return r, best


# ---------------------------------------------------------------- accuracy: regression
def mse(err, lo=0):
    return float(np.mean(np.asarray(err)[lo:] ** 2))


def regression(d):
    X, y, Xd, yd = d["X"], d["y"], d["Xd"], d["yd"]
    n, half = len(y), len(y) // 2
    speeds = {}
    err_p, refit_p, W_p = rls_outputs("ols", os.path.join(DATA, "reg.jsonl"), n)
    pred_p = y - err_p
    floor = f"noise σ²={G.NOISE ** 2:g}"
    what = f"stationary p={G.P} n={n}: prequential MSE all / last {n - half}"
    pd_mse = f"rls λ=1: {g(mse(err_p))} / {g(mse(err_p, half))}"

    # numpy batch OLS on all data
    w_ls, *_ = np.linalg.lstsq(X, y, rcond=None)
    row("accuracy", f"stationary: final weights, max |w − w_true| ({floor})", f"{e(np.abs(W_p - G.W_TRUE).max())}",
        "numpy lstsq, batch OLS on all 20k", e(np.abs(w_ls - G.W_TRUE).max()),
        f"max |W_predictord − w_lstsq| = {e(np.abs(W_p - w_ls).max())}")
    row("accuracy", "stationary: in-sample MSE of the final weights", g(mse(y - X @ W_p)),
        "numpy lstsq, batch OLS", g(mse(y - X @ w_ls)), f"Δ = {e(mse(y - X @ W_p) - mse(y - X @ w_ls))}")

    # numpy lstsq refit on every prefix = online OLS
    k = PREFIX_STEPS
    pre = np.array([0.0 if t == 0 else X[t] @ np.linalg.lstsq(X[:t], y[:t], rcond=None)[0] for t in range(k)])
    post = np.array([X[t] @ np.linalg.lstsq(X[:t + 1], y[:t + 1], rcond=None)[0] for t in range(k)])
    row("accuracy", f"stationary, first {k} pairs: prediction of each y before seeing it (prequential MSE)",
        g(mse(y[:k] - pred_p[:k])), "numpy lstsq refit on each prefix X[:t]", g(mse(y[:k] - pre)),
        f"max |Δŷ| = {e(np.abs(pred_p[:k] - pre).max())}")
    row("accuracy", f"stationary, first {k} pairs: published `mean` (refit at the pair's own x)", "—",
        "numpy lstsq on X[:t+1]", "—", f"max |Δ| = {e(np.abs(refit_p[:k] - post).max())}")
    # the same with predictord's ridge term δ‖w‖² kept: (XᵀX + δI)⁻¹Xᵀy on each prefix
    ridge = np.array([X[t] @ np.linalg.solve(X[:t].T @ X[:t] + G.DELTA * np.eye(G.P), X[:t].T @ y[:t])
                      for t in range(k)])
    worst = int(np.abs(pred_p[:k] - pre).argmax())
    row("accuracy", f"stationary, first {k} pairs: prediction of each y before seeing it", "—",
        f"numpy solve (XᵀX + δI)⁻¹Xᵀy on each prefix, δ = {G.DELTA:g} as predictord", "—",
        f"max |Δŷ| = {e(np.abs(pred_p[:k] - ridge).max())} (the {e(np.abs(pred_p[:k] - pre).max())} against lstsq, "
        f"at t = {worst}, is δ's ridge bias: |ŷ_lstsq − ŷ_ridge| = {e(abs(pre[worst] - ridge[worst]))})")

    # padasip, numpy loop, river on the stationary stream (timed: these loops are also the speed figures)
    pa_pred, speeds["padasip"] = timed(padasip_rls, X, y, mu=1.0, eps=G.DELTA, w="zeros")
    row("accuracy", what, pd_mse, f"padasip FilterRLS(mu=1, eps={G.DELTA:g}, w='zeros')",
        f"{g(mse(y - pa_pred))} / {g(mse(y - pa_pred, half))}", f"max |Δŷ| = {e(np.abs(pa_pred - pred_p).max())}")
    np.random.seed(0)  # padasip's default w='random' draws from the global numpy generator
    pa_def = padasip_rls(X, y)
    row("accuracy", what, pd_mse, "padasip FilterRLS() defaults (mu=0.1 forgetting, eps=0.001, w random)",
        f"{g(mse(y - pa_def))} / {g(mse(y - pa_def, half))}", f"MSE ratio {mse(y - pa_def, half) / mse(err_p, half):.2f}×")
    np_pred, speeds["numpy"] = timed(numpy_rls, X, y, 1.0, G.DELTA)
    row("accuracy", what, pd_mse, "numpy per-step RLS loop (same update)",
        f"{g(mse(y - np_pred))} / {g(mse(y - np_pred, half))}", f"max |Δŷ| = {e(np.abs(np_pred - pred_p).max())}")
    dicts = river_dicts(X)
    for i, (name, make) in enumerate(river_models()):
        rv, dt = timed(river_prequential, make, dicts, y)
        speeds[f"river{i}"] = (name, dt)
        row("accuracy", what, pd_mse, name, f"{g(mse(y - rv))} / {g(mse(y - rv, half))}",
            f"MSE ratio (last half) {mse(y - rv, half) / mse(err_p, half):.3f}×")

    # drifting stream: forgetting
    what = f"drifting w_t (period {G.DRIFT_PERIOD:g}) n={n}: prequential MSE all / last {n - half}"
    err_99, _, _ = rls_outputs("rls99", os.path.join(DATA, "drift.jsonl"), n)
    err_1, _, _ = rls_outputs("ols", os.path.join(DATA, "drift.jsonl"), n)
    pd_mse = f"rls λ={G.LAMBDA_DRIFT:g}: {g(mse(err_99))} / {g(mse(err_99, half))}"
    oracle = yd - np.einsum("ij,ij->i", Xd, d["Wd"])
    row("accuracy", what, pd_mse, "(oracle: the true w_t; predictord rls λ=1 for contrast)",
        f"{g(mse(oracle))}; λ=1: {g(mse(err_1))}", "")
    for lam in [0.97, 0.98]:
        err_l, _, _ = rls_outputs("rls99", os.path.join(DATA, "drift.jsonl"), n, [f"model.rls99.lambda={lam}"])
        row("accuracy", what, pd_mse, f"(predictord rls λ={lam}, chosen after the fact)",
            f"{g(mse(err_l))} / {g(mse(err_l, half))}", "")
    w_ls, *_ = np.linalg.lstsq(Xd, yd, rcond=None)
    row("accuracy", what, pd_mse, "numpy lstsq batch OLS (in-sample, cannot follow drift)", g(mse(yd - Xd @ w_ls)), "")
    pa99 = padasip_rls(Xd, yd, mu=G.LAMBDA_DRIFT, eps=G.DELTA, w="zeros")
    row("accuracy", what, pd_mse, f"padasip FilterRLS(mu={G.LAMBDA_DRIFT:g}, eps={G.DELTA:g}, w='zeros')",
        f"{g(mse(yd - pa99))} / {g(mse(yd - pa99, half))}",
        f"max |Δŷ| = {e(np.abs(pa99 - (yd - err_99)).max())}")
    dd = river_dicts(Xd)
    for name, make in river_models():
        rv = river_prequential(make, dd, yd)
        row("accuracy", what, pd_mse, name, f"{g(mse(yd - rv))} / {g(mse(yd - rv, half))}",
            f"MSE ratio (last half) {mse(yd - rv, half) / mse(err_99, half):.3f}×")
    return speeds


# ---------------------------------------------------------------- accuracy: HMM
def hmm_model(implementation="log"):
    from hmmlearn import hmm
    m = hmm.CategoricalHMM(n_components=3, n_features=4, init_params="", params="", implementation=implementation)
    m.startprob_, m.transmat_, m.emissionprob_ = G.MU, G.A, G.C
    return m


def hmm4(implementation):
    """A d = 4, m = 4 HMM (the shape of predictord's `forward d=4 m=4` bench case), for speed only."""
    from hmmlearn import hmm
    r = np.random.default_rng(4)
    norm = lambda a: a / a.sum(axis=-1, keepdims=True)
    m = hmm.CategoricalHMM(n_components=4, n_features=4, init_params="", params="", implementation=implementation)
    m.startprob_, m.transmat_, m.emissionprob_ = norm(r.random(4) + .05), norm(r.random((4, 4)) + .05), norm(r.random((4, 4)) + .05)
    return m


HMM_PUBLIC_SECONDS = None


def hmm_accuracy(d):
    global HMM_PUBLIC_SECONDS
    from hmmlearn import _hmmc  # private: the forward lattice hmmlearn's score() computes
    seqs = d["seqs"]
    S, T = seqs.shape
    m = hmm_model()
    ll_ref = m.score(seqs.reshape(-1, 1), lengths=[T] * S)
    # filtered posteriors P(x_t | z_0..t) from hmmlearn's scaled forward pass; predictive P(z_t+1 | z_0..t) = α_t A C
    ref_probs = []
    for s in seqs:
        frame = m._compute_likelihood(s.reshape(-1, 1))
        _, fwd, _ = _hmmc.forward_scaling(G.MU, G.A, frame)
        assert np.allclose(fwd.sum(axis=1), 1)
        ref_probs.append(fwd @ G.A @ G.C)
    ref_probs = np.array(ref_probs)
    # public API on prefixes of sequence 0: predict_proba(z_0..t)[-1] is the filtered posterior (the smoothed
    # posterior of the last position), score(z_0..t) − score(z_0..t−1) = log P(z_t | z_<t)
    s0 = seqs[0].reshape(-1, 1)
    t0 = time.perf_counter()
    pub_probs = np.array([m.predict_proba(s0[:t + 1])[-1] @ G.A @ G.C for t in range(HMM_PREFIX)])
    scores = np.array([m.score(s0[:t + 1]) for t in range(HMM_PREFIX)])
    HMM_PUBLIC_SECONDS = time.perf_counter() - t0
    pub_logp = np.diff(np.concatenate([[0.0], scores]))
    what = f"HMM d=3 m=4, {S}×{T} symbols"
    for model in ["forward", "dual"]:
        lines = replay(model, os.path.join(DATA, "hmm.jsonl"))
        by = {}
        for line in lines:
            by.setdefault(line["stream"], []).append(line)
        got = [by[f"hmm/{k}"] for k in range(S)]
        ll = -sum(l["surprise"] for seq in got for l in seq)
        probs = np.array([[l["probs"] for l in seq] for seq in got])
        surprise0 = np.array([l["surprise"] for l in got[0][:HMM_PREFIX]])
        label = f"{model}" + (f" (window {G.DUAL_WINDOW})" if model == "dual" else "")
        row("accuracy", f"{what}: total log-likelihood (−Σ surprise)", f"{label}: {ll:.6f}",
            "hmmlearn CategoricalHMM(same A, C, μ).score(X, lengths)", f"{ll_ref:.6f}",
            f"Δ = {e(ll - ll_ref)} (relative {e((ll - ll_ref) / abs(ll_ref))})")
        row("accuracy", f"{what}: predictive P(z_t+1 | z_0..t), all {S * T} steps", label,
            "hmmlearn forward lattice α_t (_hmmc.forward_scaling) · A · C", "—",
            f"max |Δp| = {e(np.abs(probs - ref_probs).max())}")
        row("accuracy", f"HMM sequence 0, first {HMM_PREFIX} steps: predictive distribution / log P(z_t | z_<t)", label,
            "hmmlearn public API on each prefix: predict_proba(z_0..t)[-1] · A · C; score differences", "—",
            f"max |Δp| = {e(np.abs(probs[0, :HMM_PREFIX] - pub_probs).max())}, "
            f"max |Δ log p| = {e(np.abs(-surprise0 - pub_logp).max())}")


# ---------------------------------------------------------------- speed
def bench(only, steps):
    """Best of REPEATS `predictord-bench core` runs: steps/s and the printed line."""
    best = (0.0, "")
    for _ in range(REPEATS):
        out = subprocess.run([BENCH, "core", "--only", only, "--steps", str(steps)], check=True,
                             stdout=subprocess.PIPE, text=True).stdout
        line = out.splitlines()[0]
        best = max(best, (float(re.search(r"([\d.]+) M steps/s", line).group(1)) * 1e6, line))
    return best


def replay_seconds(model, path):
    def run():
        subprocess.run([BIN, "replay", "--config", CFG, "--model", model, path], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return timed(run)[1]


def replay_speed(model, path, n):
    return n / replay_seconds(model, path)


def speed(d, speeds):
    n = G.N
    ns = len(d["zs"])
    core_rls, l1 = bench("rls p=4", 2_000_000)
    core_fwd, l2 = bench("forward d=4 m=4", 2_000_000)
    core_dual, l3 = bench("dual d=4 m=4 H=16", 2_000_000)
    e2e_rls = replay_speed("ols", os.path.join(DATA, "speed_reg.jsonl"), ns)
    e2e_fwd = replay_speed("forward", os.path.join(DATA, "speed_hmm.jsonl"), ns)
    e2e_dual = replay_speed("dual", os.path.join(DATA, "speed_hmm.jsonl"), ns)
    one = os.path.join(DATA, "one.jsonl")
    with open(one, "w") as f:
        f.write('{"stream":"s","x":[1,0,0,1],"y":1}\n')
    startup = replay_seconds("ols", one)
    X = d["X"][:n]
    rls_core = f"core (bench `rls p=4`): {g(core_rls / 1e6, 3)} M/s"
    rls_e2e = f"replay end to end (process, JSON in and out), {ns} lines: {g(e2e_rls / 1e3, 3)} k/s"
    libs = [("padasip FilterRLS predict + adapt", n / speeds["padasip"]),
            ("numpy per-step RLS loop", n / speeds["numpy"])]
    libs += [(f"{name}: predict_one + learn_one (dicts prebuilt)", n / dt)
             for name, dt in (speeds["river0"], speeds["river1"])]
    for name, ops in libs:
        row("speed", f"online regression p=4, obs/s (library: prequential loop over {n} pairs)",
            f"{rls_core}; {rls_e2e}", name, f"{g(ops / 1e3, 3)} k/s",
            f"core {ratio(core_rls / ops)}, replay {ratio(e2e_rls / ops)}")
    zs = d["zs"].reshape(-1, 1)
    pd_hmm = f"forward core (bench d=4 m=4): {g(core_fwd / 1e6, 3)} M/s; replay d=3: {g(e2e_fwd / 1e3, 3)} k/s"
    for d_states in [3, 4]:
        for impl in ["log", "scaling"]:
            m = hmm_model(impl) if d_states == 3 else hmm4(impl)
            m.score(zs[:1000])
            _, dt = timed(m.score, zs)
            ops = ns / dt
            row("speed", f"HMM filter, symbols/s (library: score() of one {ns}-symbol sequence, batch)", pd_hmm,
                f"hmmlearn CategoricalHMM(d={d_states}, m=4).score, implementation='{impl}'", f"{g(ops / 1e6, 3)} M/s",
                f"core {ratio(core_fwd / ops)}, replay {ratio(e2e_fwd / ops)}")
    ops = HMM_PREFIX / HMM_PUBLIC_SECONDS
    row("speed", f"HMM online predictive distribution via hmmlearn's public API (quadratic: t ≤ {HMM_PREFIX})", pd_hmm,
        "predict_proba(z_0..t) + score(z_0..t) on each prefix", f"{g(ops / 1e3, 3)} k/s",
        f"core {ratio(core_fwd / ops)}, replay {ratio(e2e_fwd / ops)}")
    row("speed", "HMM dual filter, symbols/s (no library equivalent; vs hmmlearn 'log' above)",
        f"dual core (bench d=4 m=4 H=16): {g(core_dual / 1e6, 3)} M/s; replay d=3 H=16: {g(e2e_dual / 1e3, 3)} k/s",
        "—", "—", "")
    row("speed", "predictord replay start-up (a 1-line file; included in the replay figures above)",
        f"{startup * 1e3:.0f} ms", "—", "—", "")
    return [l1, l2, l3]


def versions():
    v = {k: md.version(k) for k in ["numpy", "padasip", "river", "hmmlearn", "scikit-learn", "scipy"]}
    v["python"] = platform.python_version()
    try:
        v["swift"] = subprocess.run(["swift", "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True).stdout.splitlines()[0]
    except OSError:
        v["swift"] = "?"
    return v


def main():
    d = dict(np.load(os.path.join(DATA, "data.npz")))
    load0 = os.getloadavg()
    t0 = time.perf_counter()
    speeds = regression(d)
    hmm_accuracy(d)
    bench_lines = speed(d, speeds)
    load1 = os.getloadavg()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE, text=True,
                                cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    except OSError:
        commit = "?"
    print(f"Speed figures: best of {REPEATS} runs each. Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}, predictord {commit}, "
          f"{os.cpu_count()} CPUs ({cpu}), load average (1/5/15 min) {load0[0]:.2f}/{load0[1]:.2f}/{load0[2]:.2f} "
          f"before, {load1[0]:.2f}/{load1[1]:.2f}/{load1[2]:.2f} after; comparison took {time.perf_counter() - t0:.0f} s.")
    print("Versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()) + ".")
    print()
    print("| section | data · metric | predictord | library · method | library | difference / ratio (predictord ÷ library) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |")
    print()
    print("predictord-bench core lines:")
    print()
    for l in bench_lines:
        print(f"    {l}")


if __name__ == "__main__":
    main()
