#!/usr/bin/env python3
"""Measure a rule set's detection through the real proxy.

    python3 scripts/detection.py BINARY [--shared ../shared] [--rules Rules/default.yaml]
                                        [--benign scripts/benign/requests.json] [--missed GROUP]

Starts a tiny upstream (answers 200 to everything) and `BINARY run` in front of it, both on
loopback ports chosen by the kernel, then sends every attack request of
SHARED/corpus/crs-3.3.4-pl1-attacks.json and every ordinary request of the benign file, each
raw on its own connection (HTTP/1.1, computed Content-Length, `Connection: close`).

Prints per attack group (first three digits of the CRS rule id) how many were answered 403,
how many 400 (the proxy's HTTP parser refused them before any rule ran) and how many got
something else; the macro average of the 403 share over the groups; and the benign pass rate,
listing every benign request that was not answered 200 with the rule id from the block body.
Exit status 1 when any benign request was not passed. Without the shared corpus only the
benign part runs, and the script says so.
"""

import argparse
import atexit
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS_NAME = "corpus/crs-3.3.4-pl1-attacks.json"
GROUPS = {
    "930": "LFI", "931": "RFI", "932": "RCE", "933": "PHP", "934": "Node.js",
    "941": "XSS", "942": "SQLi", "943": "session fixation", "944": "Java",
}
TIMEOUT = 10.0          # seconds per request (connect + send + read)
START_TIMEOUT = 20.0    # seconds for the proxy to start listening
BLOCK_RE = re.compile(rb"blocked by rule (\d+)")


class Upstream(http.server.BaseHTTPRequestHandler):
    """Answers 200 'ok' to every method; reads and discards any body."""

    protocol_version = "HTTP/1.1"

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = b"ok\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _answer

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def encode(text):
    """Corpus strings hold bytes as code points; Latin-1 keeps them, else UTF-8."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def raw_request(entry):
    body = None if entry.get("data") is None else encode(entry["data"])
    lines = [f"{entry['method']} {entry['uri']} HTTP/1.1".encode("latin-1", "replace")]
    headers = entry.get("headers") or {}
    if not any(k.lower() == "host" for k in headers):
        lines.append(b"Host: localhost")
    for name, value in headers.items():
        if name.lower() in ("content-length", "connection", "transfer-encoding"):
            continue
        lines.append(encode(name) + b": " + encode(str(value)))
    if body is not None:
        lines.append(b"Content-Length: " + str(len(body)).encode())
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + (body or b"")


def send(port, entry):
    """Returns (status or None, rule id or None, error text or None)."""
    data = raw_request(entry)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as s:
            s.sendall(data)
            chunks = []
            deadline = time.monotonic() + TIMEOUT
            while time.monotonic() < deadline:
                try:
                    chunk = s.recv(65536)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            reply = b"".join(chunks)
    except OSError as e:
        return None, None, str(e)
    m = re.match(rb"HTTP/1\.[01] (\d{3})", reply)
    if not m:
        return None, None, "no HTTP response" if not reply else "bad response %r" % reply[:60]
    rule = BLOCK_RE.search(reply)
    return int(m.group(1)), (rule.group(1).decode() if rule else None), None


def run_all(port, entries):
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda e: send(port, e), entries))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binary")
    ap.add_argument("--shared", default="../shared", help="the shared folder holding corpus/ (default ../shared)")
    ap.add_argument("--rules", default=os.path.join(REPO, "Rules/default.yaml"))
    ap.add_argument("--benign", default=os.path.join(REPO, "scripts/benign/requests.json"))
    ap.add_argument("--missed", action="append", default=[], metavar="GROUP",
                    help="also list the attacks of GROUP (e.g. 942) that were not answered 403")
    args = ap.parse_args()

    shared = args.shared
    if not os.path.isabs(shared) and not os.path.isdir(shared):
        shared = os.path.join(REPO, shared)
    corpus_path = os.path.join(shared, CORPUS_NAME)
    attacks = None
    if os.path.isfile(corpus_path):
        with open(corpus_path) as f:
            attacks = json.load(f)
    with open(args.benign) as f:
        benign = json.load(f)

    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    upstream.daemon_threads = True
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    up_port = upstream.server_address[1]

    port = free_port()
    proxy = subprocess.Popen(
        [args.binary, "run", "--listen", f"127.0.0.1:{port}", "--upstream", f"http://127.0.0.1:{up_port}",
         "--rules", args.rules],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)

    def stop():
        if proxy.poll() is None:
            proxy.terminate()
            try:
                proxy.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proxy.kill()
                proxy.wait()
        upstream.shutdown()
    atexit.register(stop)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(2))

    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if proxy.poll() is not None:
            sys.stderr.write("proxy exited with status %d:\n%s\n" % (proxy.returncode, proxy.stderr.read().decode(errors="replace")))
            return 2
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                sys.stderr.write("proxy did not listen on 127.0.0.1:%d within %.0fs\n" % (port, START_TIMEOUT))
                return 2
            time.sleep(0.1)
    # The proxy's log goes to stderr; drain it so the pipe never fills.
    threading.Thread(target=lambda: proxy.stderr.read(), daemon=True).start()

    if attacks is None:
        print(f"no corpus at {corpus_path}: running the benign requests only")
    else:
        results = run_all(port, attacks)
        print(f"attacks: {len(attacks)} requests from {corpus_path}")
        print(f"{'group':<6} {'class':<17} {'n':>5} {'403':>5} {'403 %':>7} {'400':>5} {'other':>6}")
        shares = []
        totals = [0, 0, 0, 0]
        for group, name in GROUPS.items():
            rows = [(a, r) for a, r in zip(attacks, results) if str(a["rule"])[:3] == group]
            if not rows:
                continue
            n = len(rows)
            blocked = sum(1 for _, r in rows if r[0] == 403)
            rejected = sum(1 for _, r in rows if r[0] == 400)
            other = n - blocked - rejected
            share = 100.0 * blocked / n
            shares.append(share)
            for i, v in enumerate((n, blocked, rejected, other)):
                totals[i] += v
            print(f"{group:<6} {name:<17} {n:>5} {blocked:>5} {share:>6.1f}% {rejected:>5} {other:>6}")
        print(f"{'all':<6} {'':<17} {totals[0]:>5} {totals[1]:>5} {100.0 * totals[1] / totals[0]:>6.1f}% "
              f"{totals[2]:>5} {totals[3]:>6}")
        print(f"macro average (403 share over {len(shares)} groups): {sum(shares) / len(shares):.1f}%")
        for group in args.missed:
            print(f"\nnot answered 403 in {group}:")
            for a, r in zip(attacks, results):
                if str(a["rule"]).startswith(group) and r[0] != 403:
                    extra = {k: v for k, v in (a.get("headers") or {}).items()
                             if k.lower() not in ("host", "user-agent", "accept", "accept-encoding", "accept-language",
                                                  "accept-charset", "keep-alive", "connection", "proxy-connection",
                                                  "cache-control", "pragma", "content-type")}
                    print(f"  {a['id']:<12} {r[0]} {a['method']} {a['uri'][:110]} {extra if extra else ''} "
                          f"{(a.get('data') or '')[:110]!r}")

    results = run_all(port, benign)
    passed = sum(1 for r in results if r[0] == 200)
    print(f"\nbenign: {passed}/{len(benign)} passed ({100.0 * passed / len(benign):.1f}%)")
    failed = [(b, r) for b, r in zip(benign, results) if r[0] != 200]
    for b, (status, rule, err) in failed:
        why = f"blocked by rule {rule}" if rule else (err or "no rule id in the body")
        print(f"  NOT PASSED {b['id']}: {status} {why} — {b['method']} {b['uri'][:100]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
