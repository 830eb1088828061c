#!/usr/bin/env python3
"""Start-up cost of the journal: a release `predictord run` (journal write, no periodic checkpoint) absorbs N
binary rls observations over 1000 streams, is killed with SIGKILL, and is started again on the same state
directory; prints the journal's size and the time from the restart to READY (the log line "predictord ready"),
i.e. the replay of N messages. Usage: python3 docs/bench/journal_replay.py [PATH/TO/predictord] [N]
"""
import os, signal, socket, struct, subprocess, sys, tempfile, time
import zmq

DAEMON = sys.argv[1] if len(sys.argv) > 1 else ".build/release/predictord"
N = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def run(config, log):
    return subprocess.Popen([DAEMON, "run", "--config", config], stdout=log, stderr=subprocess.STDOUT)

def wait_for(path, text, timeout=600):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        with open(path) as f:
            if text in f.read():
                return time.monotonic() - t0
        time.sleep(0.01)
    raise SystemExit(f"no '{text}' in {path} within {timeout} s")

with tempfile.TemporaryDirectory() as tmp:
    pin, pout = free_port(), free_port()
    config = os.path.join(tmp, "p.yaml")
    with open(config, "w") as f:
        f.write(f"""
sockets:
  observations: {{ bind: ["tcp://127.0.0.1:{pin}"], subscribe: [""], receive_hwm: 0 }}
  predictions: {{ bind: ["tcp://127.0.0.1:{pout}"], send_hwm: 0 }}
limits: {{ max_message_bytes: 65536, idle_ttl_seconds: 0 }}
state: {{ directory: "{tmp}/state", checkpoint_interval_seconds: 0, journal: write }}
logging: {{ level: info }}
models: [s]
model:
  s: {{ kind: rls, match: "", lags: 4, bias: false, lambda: 0.999, delta: 0.000001 }}
""")
    first_log = os.path.join(tmp, "first.log")
    first = run(config, open(first_log, "w"))
    wait_for(first_log, "predictord ready")
    ctx = zmq.Context()
    ctx.setsockopt(zmq.LINGER, 0)
    sub = ctx.socket(zmq.SUB); sub.setsockopt(zmq.SUBSCRIBE, b""); sub.setsockopt(zmq.RCVHWM, 0)
    sub.connect(f"tcp://127.0.0.1:{pout}")
    pub = ctx.socket(zmq.XPUB); pub.setsockopt(zmq.SNDHWM, 0); pub.connect(f"tcp://127.0.0.1:{pin}")
    pub.recv()
    time.sleep(0.5)
    topics = [b"s/%d" % k for k in range(1000)]
    for i in range(N):
        # binary v1 series: version 1, kind 0, ny 1, nx 0, flags 1 (seq), seq, ts 0, y
        pub.send_multipart([topics[i % 1000], struct.pack("<BBHHHQdd", 1, 0, 1, 0, 1, i // 1000 + 1, 0.0, ((i * 7919) % 1000) / 500 - 1)])
    got = 0
    sub.setsockopt(zmq.RCVTIMEO, 5000)
    while got < N:
        try:
            sub.recv_multipart(); got += 1
        except zmq.Again:
            break
    first.send_signal(signal.SIGKILL); first.wait()
    size = sum(os.path.getsize(os.path.join(tmp, "state", n)) for n in os.listdir(os.path.join(tmp, "state")) if n.startswith("journal-"))
    second_log = os.path.join(tmp, "second.log")
    t0 = time.monotonic()
    second = run(config, open(second_log, "w"))
    ready = wait_for(second_log, "predictord ready")
    replayed = [l.strip() for l in open(second_log) if "replayed the journal" in l]
    second.send_signal(signal.SIGTERM); second.wait(60)
    ctx.destroy(linger=0)
    print(f"journal replay: {got} of {N} predictions received before the kill; journal {size / 1048576:.1f} MiB "
          f"({size / max(1, got):.1f} bytes/message); restart to READY {ready:.2f} s "
          f"({ready / max(1, got) * 1e9:.0f} ns/message); {replayed[-1] if replayed else 'NO replay logged'}")
