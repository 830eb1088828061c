#!/usr/bin/env python3
"""Hostile-input targets of issue 12 against a real `predictord run` (release build) on loopback.

Measures, each on a fresh daemon: peak RSS (VmHWM) before and after one 48 MB subscription to the predictions
socket (the attacker then vanishes) while predictions flow; peak RSS before and after one multipart message of
40 x 10 MB frames; and the time from SIGTERM to exit while a flood of expensive messages (1000 unknown keys each,
under the 64 KiB limit) is queued. Usage: python3 docs/bench/hostile.py [PATH/TO/predictord]
"""
import os, signal, socket, subprocess, sys, tempfile, time
import zmq

DAEMON = sys.argv[1] if len(sys.argv) > 1 else ".build/release/predictord"

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def status(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])  # KiB
    return -1

def start(tmp, name):
    pin, pout = free_port(), free_port()
    config = os.path.join(tmp, f"{name}.yaml")
    with open(config, "w") as f:
        f.write(f"""
sockets:
  observations: {{ bind: ["tcp://127.0.0.1:{pin}"], subscribe: [""] }}
  predictions: {{ bind: ["tcp://127.0.0.1:{pout}"] }}
limits: {{ max_message_bytes: 65536 }}
state: {{ directory: "{tmp}/{name}-state", checkpoint_interval_seconds: 60 }}
logging: {{ level: warning }}
models: [s]
model:
  s: {{ kind: rls, match: "", lags: 4, bias: true }}
""")
    log = open(os.path.join(tmp, f"{name}.log"), "w")
    proc = subprocess.Popen([DAEMON, "run", "--config", config], stdout=log, stderr=log)
    ctx = zmq.Context()
    ctx.setsockopt(zmq.LINGER, 0)  # never wait at exit for messages the stopped daemon will not take
    pub = ctx.socket(zmq.XPUB)
    pub.connect(f"tcp://127.0.0.1:{pin}")
    pub.setsockopt(zmq.RCVTIMEO, 10000)
    pub.recv()  # the daemon's subscription
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(f"tcp://127.0.0.1:{pout}")
    sub.setsockopt(zmq.RCVTIMEO, 50)
    for _ in range(200):  # past the slow-joiner window
        pub.send_multipart([b"probe/1", b'{"y":1}'])
        try:
            sub.recv_multipart()
            break
        except zmq.Again:
            pass
    time.sleep(0.3)
    return proc, ctx, pub, sub, pout

def drain(sub):
    n = 0
    while True:
        try:
            sub.recv_multipart()
            n += 1
        except zmq.Again:
            return n

def subscription_bomb(tmp, megabytes=48):
    proc, ctx, pub, sub, pout = start(tmp, "subbomb")
    before = status(proc.pid, "VmHWM:")
    attacker = subprocess.Popen([sys.executable, "-c", f"""
import zmq, time, sys
s = zmq.Context().socket(zmq.SUB)
s.connect("tcp://127.0.0.1:{pout}")
s.setsockopt(zmq.SUBSCRIBE, b"x" * ({megabytes} << 20))
time.sleep(60)
"""])
    for t in range(1, 31):  # the PUB reads subscriptions when it sends: keep predictions flowing
        pub.send_multipart([b"series/flow", b'{"seq":%d,"y":1}' % t])
        time.sleep(0.1)
    attacker.kill(); attacker.wait()
    for t in range(31, 41):
        pub.send_multipart([b"series/flow", b'{"seq":%d,"y":1}' % t])
        time.sleep(0.05)
    served = drain(sub)
    after = status(proc.pid, "VmHWM:")
    proc.send_signal(signal.SIGTERM); proc.wait(30)
    ctx.destroy(linger=0)
    print(f"subscription {megabytes} MB: VmHWM {before / 1024:.1f} -> {after / 1024:.1f} MiB (+{(after - before) / 1024:.2f} MiB); "
          f"{served} of 40 predictions served meanwhile; exit {proc.returncode}")
    return after - before

def multipart(tmp, frames=40, megabytes=10):
    proc, ctx, pub, sub, _ = start(tmp, "multipart")
    before = status(proc.pid, "VmHWM:")
    frame = b"a" * (megabytes << 20)
    pub.send_multipart([b"series/big"] + [frame] * frames)
    time.sleep(3)
    after = status(proc.pid, "VmHWM:")
    proc.send_signal(signal.SIGTERM); proc.wait(30)
    ctx.destroy(linger=0)
    print(f"multipart {frames} x {megabytes} MB: VmHWM {before / 1024:.1f} -> {after / 1024:.1f} MiB (+{(after - before) / 1024:.2f} MiB); exit {proc.returncode}")
    return after - before

def flood(tmp, count=20000):
    proc, ctx, pub, sub, _ = start(tmp, "flood")
    payload = ("{" + "".join(f'"k{k}":"{"v" * 40}",' for k in range(1000)) + '"y":1}').encode()
    assert len(payload) < 65536
    pub.setsockopt(zmq.SNDHWM, 0)
    for _ in range(count):
        pub.send_multipart([b"series/flood", payload])
    time.sleep(0.3)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.wait(60)
    elapsed = time.monotonic() - t0
    ctx.destroy(linger=0)
    print(f"flood of {count} x {len(payload)} B messages (1000 unknown keys): SIGTERM -> exit {elapsed * 1000:.0f} ms; exit {proc.returncode}")
    return elapsed

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        sub = subscription_bomb(tmp)
        mp = multipart(tmp)
        term = flood(tmp)
        print(f"targets: subscription +{sub / 1024:.2f} MiB < 64 MiB: {'MET' if sub < 64 * 1024 else 'NOT MET'}; "
              f"multipart +{mp / 1024:.2f} MiB < 64 MiB: {'MET' if mp < 64 * 1024 else 'NOT MET'}; "
              f"SIGTERM {term * 1000:.0f} ms < 500 ms: {'MET' if term < 0.5 else 'NOT MET'}")
