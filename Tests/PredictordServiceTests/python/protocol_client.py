#!/usr/bin/env python3
"""An independent predictord client, written from the protocol documents only (docs/protocol.md and the design
note's protocol.md), not from predictord's code.

It publishes JSON and binary v1 observations to a running daemon, receives the predictions (JSON and binary
kinds 16 and 17), and checks every value against what it computes itself:

* weather/... streams: the exact forward filter of the 2-state, 3-symbol HMM of the bundled configuration
  (A = [[0.9,0.1],[0.2,0.8]], C = [[0.6,0.3,0.1],[0.1,0.3,0.6]], mu = [0.5,0.5], values = [0,1,2]);
* pairs/... streams: online least squares with explicit features (dimension 2, lambda 1, delta 1e-6):
  for y = 2*x1 (features [1, x1]) the refit is y = 2x after 2 pairs, checked against the exact ridge solution
  and against the OLS line, plus queries.

Usage: protocol_client.py --observations tcp://127.0.0.1:5556 --predictions tcp://127.0.0.1:5557
Exits 0 when everything matches, 1 with a message on the first mismatch, 2 when the daemon does not answer.
"""
import argparse
import json
import math
import random
import struct
import sys
import time

import zmq

HEADER = struct.Struct("<BBHHHQd")  # version, kind, ny, nx, flags, seq, ts  (24 bytes, little-endian)
assert HEADER.size == 24

# The HMM of the configuration the test runs the daemon with (same as Config/predictord.yaml's "weather").
A = [[0.9, 0.1], [0.2, 0.8]]
C = [[0.6, 0.3, 0.1], [0.1, 0.3, 0.6]]
MU = [0.5, 0.5]
VALUES = [0.0, 1.0, 2.0]
DELTA = 1e-6  # model.pairs.delta; lambda = 1


def fail(message):
    print("protocol_client: MISMATCH: " + message, file=sys.stderr)
    sys.exit(1)


# ---- encoding observations -------------------------------------------------------------------------------------

def header(kind, ny, nx, seq=None, ts=None):
    flags = (1 if seq is not None else 0) | (2 if ts is not None else 0)
    return HEADER.pack(1, kind, ny, nx, flags, seq if seq is not None else 0, ts if ts is not None else 0.0)


def bin_labelled(x, y, seq=None, ts=None):
    return header(1, len(y), len(x), seq, ts) + struct.pack(f"<{len(x)}d", *x) + struct.pack(f"<{len(y)}d", *y)


def bin_query(x, seq=None, ts=None):
    return header(2, 0, len(x), seq, ts) + struct.pack(f"<{len(x)}d", *x)


def bin_symbol(z, seq=None, ts=None):
    return header(3, 0, 0, seq, ts) + struct.pack("<I", z)


def bin_reset(seq=None, ts=None):
    return header(4, 0, 0, seq, ts)


def json_msg(**fields):
    return json.dumps(fields, separators=(",", ":")).encode()


# ---- decoding predictions --------------------------------------------------------------------------------------

def nan_to_none(v):
    return None if math.isnan(v) else v


def decode(payload):
    """A prediction as a dict: seq, ts, n, mean, var, error (real) or probs, mean, surprise (symbol); None = none."""
    if payload[:1] == b"{":
        d = json.loads(payload)  # null becomes None
        d["encoding"] = "json"
        return d
    if payload[:1] != b"\x01":
        fail(f"prediction starts with byte {payload[:1]!r}, neither '{{' nor 0x01")
    version, kind, ny, nx, flags, seq, ts = HEADER.unpack_from(payload)
    if nx != 0:
        fail(f"binary prediction with nx = {nx}")
    if flags & ~7:
        fail(f"binary prediction with unknown flag bits {flags:#x}")
    out = {"encoding": "binary", "seq": seq if flags & 1 else None, "ts": ts if flags & 2 else None}
    if kind == 16:
        end, width = 24 + 8 + 24 * ny, ny
    elif kind == 17:
        end, width = 24 + 8 + 8 * ny + 16, 1
    else:
        fail(f"binary prediction of kind {kind}, expected 16 or 17")
    levels = struct.unpack_from("<Q", payload, end)[0] if flags & 4 else 0
    expected_len = end + (8 + levels * 8 * (1 + 2 * width) if flags & 4 else 0)
    if len(payload) != expected_len:
        fail(f"kind-{kind} prediction of {len(payload)} bytes, header says {expected_len}")
    (out["n"],) = struct.unpack_from("<Q", payload, 24)
    if kind == 16:
        vals = struct.unpack_from(f"<{3 * ny}d", payload, 32)
        out["mean"] = [nan_to_none(v) for v in vals[:ny]]
        out["var"] = [nan_to_none(v) for v in vals[ny:2 * ny]]
        out["error"] = [nan_to_none(v) for v in vals[2 * ny:]]
        out["kind"] = "real"
    else:
        vals = struct.unpack_from(f"<{ny + 2}d", payload, 32)
        out["probs"] = list(vals[:ny])
        out["mean"] = nan_to_none(vals[ny])
        out["surprise"] = nan_to_none(vals[ny + 1])
        out["kind"] = "symbol"
    # Interval block (flag bit 2): per level, the level then `width` lower and `width` upper bounds.
    intervals, offset = {}, end + 8
    for _ in range(levels):
        vals = struct.unpack_from(f"<{1 + 2 * width}d", payload, offset)
        intervals[vals[0]] = [nan_to_none(v) for v in vals[1:]]
        offset += 8 * (1 + 2 * width)
    if intervals:
        out["interval"] = intervals
    return out


def scalar(v):
    """A JSON/binary mean, var or error as one number (or None): a one-element list or a number."""
    if isinstance(v, list):
        if len(v) != 1:
            fail(f"expected one component, got {v}")
        return v[0]
    return v


def close(a, b, rel=1e-12, abs_=1e-13):
    return abs(a - b) <= max(abs_, rel * max(abs(a), abs(b)))


def check_number(what, got, want, rel=1e-12, abs_=1e-13):
    if want is None:
        if got is not None:
            fail(f"{what}: got {got!r}, expected none")
        return
    if got is None or not isinstance(got, (int, float)):
        fail(f"{what}: got {got!r}, expected {want!r}")
    if not close(got, want, rel, abs_):
        fail(f"{what}: got {got!r}, expected {want!r} (difference {got - want:.3e})")


# ---- independent models ----------------------------------------------------------------------------------------

class ForwardFilter:
    """pi_{t+1} = (pi_t * C(., z_t)) A / pi_t(C(., z_t)); publishes probs = pi C, mean/var of VALUES, surprise."""

    def __init__(self):
        self.pi = list(MU)
        self.n = 0

    def prediction(self, surprise=None):
        probs = [sum(self.pi[x] * C[x][z] for x in range(2)) for z in range(3)]
        mean = sum(p * v for p, v in zip(probs, VALUES))
        var = sum(p * v * v for p, v in zip(probs, VALUES)) - mean * mean
        return {"n": self.n, "probs": probs, "mean": mean, "var": var, "surprise": surprise}

    def observe(self, z):
        likelihood = sum(self.pi[x] * C[x][z] for x in range(2))
        post = [self.pi[x] * C[x][z] / likelihood for x in range(2)]
        self.pi = [sum(post[x] * A[x][y] for x in range(2)) for y in range(2)]
        self.n += 1
        return self.prediction(surprise=-math.log(likelihood))

    def reset(self):
        self.pi = list(MU)
        self.n = 0
        return self.prediction()


class RidgePairs:
    """W_n = argmin sum (y_i - w.x_i)^2 + delta |w|^2 (lambda = 1, prior 0), solved directly (2x2) from all pairs."""

    def __init__(self):
        self.pairs = []
        self.errors = []

    def solve(self):
        s = [[DELTA, 0.0], [0.0, DELTA]]
        b = [0.0, 0.0]
        for x, y in self.pairs:
            for i in range(2):
                b[i] += x[i] * y
                for j in range(2):
                    s[i][j] += x[i] * x[j]
        det = s[0][0] * s[1][1] - s[0][1] * s[1][0]
        inv = [[s[1][1] / det, -s[0][1] / det], [-s[1][0] / det, s[0][0] / det]]
        w = [inv[0][0] * b[0] + inv[0][1] * b[1], inv[1][0] * b[0] + inv[1][1] * b[1]]
        return w, inv

    def mean_at(self, x):
        w, _ = self.solve()
        return w[0] * x[0] + w[1] * x[1]

    def variance_at(self, x):
        """Student-t variance of the normal-inverse-gamma posterior: J/(nu - 2) (1 + x'Px), J the residual sum of
        squares of the current fit plus the ridge term, nu = n - p; none until nu > 2."""
        nu = len(self.pairs) - 2
        if nu <= 2:
            return None
        w, p = self.solve()
        j = sum((y - w[0] * xi[0] - w[1] * xi[1]) ** 2 for xi, y in self.pairs) + DELTA * (w[0] ** 2 + w[1] ** 2)
        xpx = sum(x[i] * p[i][j2] * x[j2] for i in range(2) for j2 in range(2))
        return j / (nu - 2) * (1 + xpx)

    def observe(self, x, y):
        before = self.mean_at(x)
        self.pairs.append((x, y))
        self.errors.append(y - before)
        return {"n": len(self.pairs), "mean": self.mean_at(x), "var": self.variance_at(x), "error": y - before}

    def query(self, x):
        return {"n": len(self.pairs), "mean": self.mean_at(x), "var": self.variance_at(x), "error": None}


# ---- the run ---------------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--observations", required=True)
    parser.add_argument("--predictions", required=True)
    parser.add_argument("--timeout", type=float, default=15.0)
    args = parser.parse_args()

    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.RCVHWM, 1_000_000)
    sub.setsockopt(zmq.LINGER, 0)
    sub.connect(args.predictions)
    for prefix in (b"weather/py", b"pairs/py"):
        sub.setsockopt(zmq.SUBSCRIBE, prefix)
    pub = ctx.socket(zmq.PUB)
    pub.setsockopt(zmq.SNDHWM, 1_000_000)
    pub.setsockopt(zmq.LINGER, 2000)
    pub.connect(args.observations)
    poller = zmq.Poller()
    poller.register(sub, zmq.POLLIN)

    # Slow joiner (protocol.md's advice): repeat a seq-less reset on a stream of its own until its prediction
    # comes back; that stream's later predictions are ignored.
    sync = b"weather/py-sync"
    deadline = time.monotonic() + args.timeout
    synced = False
    while time.monotonic() < deadline and not synced:
        pub.send_multipart([sync, b'{"reset":true}'])
        while poller.poll(50):
            topic, _ = sub.recv_multipart()
            if topic == sync:
                synced = True
    if not synced:
        print(f"protocol_client: no answer from predictord ({args.observations} -> {args.predictions})", file=sys.stderr)
        sys.exit(2)

    rng = random.Random(20261123)
    sends = []      # (topic, payload) in order
    expected = {}   # topic -> list of expected predictions (dicts with the fields to check)

    # HMM streams: one JSON, one binary. A seq-less reset first (prior prediction), then symbols with seq and ts.
    for topic, binary in ((b"weather/py-json", False), (b"weather/py-bin", True)):
        f = ForwardFilter()
        exp = expected.setdefault(topic, [])
        sends.append((topic, bin_reset() if binary else json_msg(reset=True)))
        exp.append(dict(f.reset(), seq=None, ts=None))
        for t in range(60):
            z = rng.choice([0, 0, 1, 2, 2])
            seq, ts = 10 + t, 1_700_000_000.0 + t / 8
            sends.append((topic, bin_symbol(z, seq=seq, ts=ts) if binary else json_msg(seq=seq, ts=ts, z=z)))
            exp.append(dict(f.observe(z), seq=seq + 1, ts=ts))

    # Labelled pairs y = 2 * x1 with features [1, x1]; queries in between; after 2 pairs the fit is y = 2x.
    for topic, binary in ((b"pairs/py-json", False), (b"pairs/py-bin", True)):
        r = RidgePairs()
        exp = expected.setdefault(topic, [])
        sends.append((topic, bin_reset() if binary else json_msg(reset=True)))
        exp.append({"n": 0, "mean": None, "var": None, "error": None, "seq": None, "ts": None})
        for t, x1 in enumerate([0.5, -1.25, 3.0, 0.75, -2.0, 4.5]):
            x, y = [1.0, x1], 2.0 * x1
            sends.append((topic, bin_labelled(x, [y], seq=t) if binary else json_msg(seq=t, x=x, y=y)))
            exp.append(dict(r.observe(x, y), seq=t + 1, ts=None, ols=y if t >= 1 else None))
            q = [1.0, 10.0 * x1 + 1.0]
            sends.append((topic, bin_query(q, seq=t) if binary else json_msg(seq=t, x=q)))
            exp.append(dict(r.query(q), seq=t, ts=None, ols=2.0 * q[1] if t >= 1 else None))

    for topic, payload in sends:
        pub.send_multipart([topic, payload])

    got = {topic: [] for topic in expected}
    want_total = sum(len(v) for v in expected.values())
    total = 0
    deadline = time.monotonic() + args.timeout
    while total < want_total and time.monotonic() < deadline:
        if not poller.poll(100):
            continue
        frames = sub.recv_multipart()
        if len(frames) != 2:
            fail(f"a prediction with {len(frames)} frames")
        topic, payload = frames
        if topic == sync:
            continue
        if topic not in got:
            fail(f"prediction on unexpected topic {topic!r}")
        got[topic].append(decode(payload))
        total += 1
    # Anything extra within a short while is an error too.
    while poller.poll(200):
        topic, payload = sub.recv_multipart()
        if topic != sync:
            fail(f"extra prediction on {topic!r}: {payload!r}")

    for topic, exp in expected.items():
        name = topic.decode()
        received = got[topic]
        if len(received) != len(exp):
            fail(f"{name}: {len(received)} predictions, expected {len(exp)}")
        binary = name.endswith("-bin")
        for i, (g, e) in enumerate(zip(received, exp)):
            where = f"{name} #{i}"
            if g["encoding"] != ("binary" if binary else "json"):
                fail(f"{where}: came back as {g['encoding']}, the observation was {'binary' if binary else 'json'}")
            if g.get("seq") != e["seq"]:
                fail(f"{where}: seq {g.get('seq')!r}, expected {e['seq']!r}")
            if e["ts"] is None:
                if g.get("ts") is not None:
                    fail(f"{where}: ts {g.get('ts')!r} echoed though none was sent")
            elif g.get("ts") != e["ts"]:  # an echo: exact
                fail(f"{where}: ts {g.get('ts')!r}, expected exactly {e['ts']!r}")
            if g.get("n") != e["n"]:
                fail(f"{where}: n {g.get('n')!r}, expected {e['n']}")
            if not binary:
                if g.get("stream") != name:
                    fail(f"{where}: stream field {g.get('stream')!r}")
                model = "forward" if name.startswith("weather/") else "rls"
                if g.get("model") != model:
                    fail(f"{where}: model {g.get('model')!r}, expected {model}")
            if name.startswith("weather/"):
                if binary and g["kind"] != "symbol":
                    fail(f"{where}: binary kind {g['kind']}, expected 17")
                probs = g.get("probs")
                if not isinstance(probs, list) or len(probs) != 3:
                    fail(f"{where}: probs {probs!r}")
                for k in range(3):
                    check_number(f"{where} probs[{k}]", probs[k], e["probs"][k])
                check_number(f"{where} probs sum", sum(probs), 1.0, rel=1e-14, abs_=1e-14)
                check_number(f"{where} mean", scalar(g.get("mean")), e["mean"])
                if not binary:  # binary symbol predictions carry no var
                    check_number(f"{where} var", scalar(g.get("var")), e["var"])
                check_number(f"{where} surprise", g.get("surprise"), e["surprise"])
                if not binary and e["surprise"] is None and "surprise" in g:
                    fail(f"{where}: JSON carries 'surprise' after a reset")
                if "error" in g and not binary:
                    fail(f"{where}: symbol prediction with 'error'")
            else:
                if binary and g["kind"] != "real":
                    fail(f"{where}: binary kind {g['kind']}, expected 16")
                for key in ("mean", "var", "error"):
                    value = scalar(g.get(key))
                    if not binary and e[key] is None and key in g and key != "mean":
                        fail(f"{where}: JSON carries '{key}' = {g[key]!r}, the docs say an all-none field is omitted")
                    check_number(f"{where} {key}", value, e[key], rel=1e-9, abs_=1e-9)
                if e.get("ols") is not None:  # y = 2x exactly from the second pair on (up to the tiny ridge)
                    check_number(f"{where} mean vs OLS y = 2x", scalar(g.get("mean")), e["ols"], rel=1e-5, abs_=1e-5)

    print(f"protocol_client: {total} predictions on {len(expected)} streams match the independent computations")
    sub.close()
    pub.close()
    ctx.term()


if __name__ == "__main__":
    main()
