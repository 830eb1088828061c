#!/usr/bin/env python3
"""A pyzmq CURVE client of a secured predictord, written from docs/protocol.md and docs/operations.md alone:
keys from `predictord keygen` files (zmq.auth.load_certificate), one series observation answered; then a client
with a fresh key that is not on the allow-list gets no prediction."""
import argparse, json, sys
import zmq, zmq.auth

ap = argparse.ArgumentParser()
ap.add_argument("--observations", required=True)
ap.add_argument("--predictions", required=True)
ap.add_argument("--publisher-key", required=True)
ap.add_argument("--subscriber-key", required=True)
ap.add_argument("--server-key", required=True)
args = ap.parse_args()
server_public, _ = zmq.auth.load_certificate(args.server_key)


def client(ctx, pub_pair, sub_pair):
    pub, sub = ctx.socket(zmq.PUB), ctx.socket(zmq.SUB)
    for sock, (public, secret) in ((pub, pub_pair), (sub, sub_pair)):
        sock.curve_publickey, sock.curve_secretkey, sock.curve_serverkey = public, secret, server_public
    sub.setsockopt(zmq.SUBSCRIBE, b"series/py")
    sub.connect(args.predictions)
    pub.connect(args.observations)
    return pub, sub


def ask(pub, sub, tries):
    """Repeats a reset until its prediction arrives (slow joiner); returns it or None."""
    poller = zmq.Poller()
    poller.register(sub, zmq.POLLIN)
    for _ in range(tries):
        pub.send_multipart([b"series/py", b'{"reset":true}'])
        if poller.poll(100):
            return sub.recv_multipart()
    return None


ctx = zmq.Context()
allowed = client(ctx, zmq.auth.load_certificate(args.publisher_key), zmq.auth.load_certificate(args.subscriber_key))
answer = ask(*allowed, tries=100)
if answer is None:
    sys.exit("no prediction for the allowed keys")
prediction = json.loads(answer[1])
if answer[0] != b"series/py" or prediction["n"] != 0 or prediction["model"] != "rls":
    sys.exit(f"unexpected prediction {answer}")

stranger = zmq.curve_keypair()
if ask(*client(ctx, stranger, stranger), tries=15) is not None:
    sys.exit("a key that is not on the allow-list got a prediction")
print("CURVE client ok: allowed keys answered, unknown key refused")
