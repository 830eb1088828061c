"""Loads predictord's live page in a real headless Chromium (Debian's package, driven over the DevTools
protocol), watches one stream, publishes a known series to the daemon over ZeroMQ and checks from the DOM that
the chart drew every observation sent and every predicted mean the daemon published; optionally saves a
screenshot. Prints "live page OK: ..." on success, exits 1 with the reason otherwise.

usage: live_page_check.py --page URL --observations EP --predictions EP --stream ID --chromium PATH
                          --debug-port N [--count N] [--screenshot FILE] [--timeout S]
"""
import argparse
import base64
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket
import zmq


def fail(message):
    print("live page FAILED: " + message)
    sys.exit(1)


class DevTools:
    def __init__(self, url):
        self.ws = websocket.create_connection(url, timeout=20)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    fail(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")


def wait(predicate, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    fail("timed out waiting for " + what)


def main():
    parser = argparse.ArgumentParser()
    for name in ["--page", "--observations", "--predictions", "--stream", "--chromium", "--screenshot"]:
        parser.add_argument(name)
    parser.add_argument("--debug-port", type=int, required=True)
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--timeout", type=float, default=30)
    args = parser.parse_args()

    profile = tempfile.mkdtemp(prefix="predictord-chromium-")
    browser = subprocess.Popen([
        args.chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
        f"--remote-debugging-port={args.debug_port}", "--remote-debugging-address=127.0.0.1", f"--user-data-dir={profile}",
        "--window-size=1100,1300", "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def page_target():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{args.debug_port}/json/list", timeout=2) as r:
                    pages = [t for t in json.load(r) if t.get("type") == "page"]
                    return pages[0]["webSocketDebuggerUrl"] if pages else None
            except OSError:
                return None
        tools = DevTools(wait(page_target, args.timeout, "Chromium's DevTools endpoint"))
        tools.call("Page.enable")
        tools.call("Page.navigate", url=args.page)
        wait(lambda: tools.evaluate("document.getElementById('status') && document.getElementById('status').textContent")
             == f"watching {args.stream} (live)", args.timeout, "the page's event stream to open")

        # The known series: an AR(1) around 2 with seeded noise; predictions collected from the daemon's PUB.
        context = zmq.Context()
        sub = context.socket(zmq.SUB)
        sub.setsockopt(zmq.SUBSCRIBE, args.stream.encode())
        sub.connect(args.predictions)
        pub = context.socket(zmq.XPUB)
        pub.connect(args.observations)
        pub.setsockopt(zmq.RCVTIMEO, 10000)
        pub.recv()  # the daemon's subscription: from now on nothing is lost
        time.sleep(0.3)  # the SUB's subscription reaches the daemon's PUB (slow joiner)
        rng = random.Random(7)
        sent, y = [], 2.0
        for seq in range(args.count):
            y = 2.0 + 0.7 * (y - 2.0) + rng.uniform(-0.5, 0.5)
            y = float(f"{y:.6f}")
            sent.append(y)
            pub.send_multipart([args.stream.encode(), json.dumps({"seq": seq, "y": y}).encode()])
        means, intervals = [], 0
        poller = zmq.Poller()
        poller.register(sub, zmq.POLLIN)
        deadline = time.time() + args.timeout
        while len(means) < args.count and time.time() < deadline:
            if poller.poll(200):
                _, payload = sub.recv_multipart()
                prediction = json.loads(payload)
                means.append(prediction["mean"])
                intervals += 1 if "interval" in prediction else 0
        if len(means) != args.count:
            fail(f"{len(means)} of {args.count} predictions arrived over ZeroMQ")

        # The DOM: one circle per observation with its value, one mean per prediction, the band drawn.
        wait(lambda: tools.evaluate("document.querySelectorAll('#chart circle.obs').length") == args.count,
             args.timeout, f"{args.count} observation points in the chart")
        drawn = tools.evaluate("[...document.querySelectorAll('#chart circle.obs')].map(c => Number(c.dataset.y))")
        if drawn != sent:
            fail(f"observations drawn {drawn[:5]}… differ from those sent {sent[:5]}…")
        seqs = tools.evaluate("[...document.querySelectorAll('#chart circle.obs')].map(c => Number(c.dataset.seq))")
        if seqs != list(range(args.count)):
            fail(f"seqs drawn {seqs[:5]}… are not 0…{args.count - 1}")
        drawn_means = [float(v) for v in tools.evaluate("document.querySelector('#chart polyline.mean').dataset.values").split()]
        if len(drawn_means) != args.count or any(not math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12) for a, b in zip(drawn_means, means)):
            fail(f"means drawn {drawn_means[:5]}… differ from those published {means[:5]}…")
        band = tools.evaluate("Number(document.querySelector('#chart polygon.band')?.dataset.count ?? 0)")
        if band != intervals or band < 2:
            fail(f"the interval band covers {band} points; {intervals} predictions carried an interval")
        inside = tools.evaluate("[...document.querySelectorAll('#chart circle.obs')].every(c => { const b = c.ownerSVGElement.viewBox.baseVal;"
                                " const x = Number(c.getAttribute('cx')), y = Number(c.getAttribute('cy'));"
                                " return x >= 0 && x <= b.width && y >= 0 && y <= b.height; })")
        if not inside:
            fail("some observation points lie outside the chart")
        # The overview below the chart lists the model of the stream.
        wait(lambda: "series" in (tools.evaluate("document.querySelector('#models tbody').textContent") or ""),
             10, "the models table")
        if args.screenshot:
            shot = tools.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
            with open(args.screenshot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
        print(f"live page OK: {args.count} observations and {args.count} means drawn as sent and published; band over {band} points")
    finally:
        browser.terminate()
        try:
            browser.wait(10)
        except subprocess.TimeoutExpired:
            browser.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
