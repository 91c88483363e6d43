#!/usr/bin/env python3
"""Instructions per proxied request, counted by callgrind (independent of machine load).

    python3 Bench/callgrind-requests.py BINARY [--rules FILE] [--path /x | --scenario S] [--block-log]
                                               [--n 400] [--keep FILE]

Starts a small keep-alive upstream and `BINARY run --loops 1` under `valgrind --tool=callgrind`
twice: once sending N requests, once 3N, each over one keep-alive connection. Prints the
instructions per request as the difference of the two totals divided by 2N, so start-up,
rule compilation and shutdown cancel out.

Without `--scenario` it sends `GET PATH` with a short Host and User-Agent. `--scenario` sends the
request of one `make bench` scenario exactly as ../shared/bench/peer_bench.sh has wrk send it
(Host bench.local, User-Agent 'peer-bench/1.0 (wrk)', Accept */*): `get` (/index.html), `args`
(ten query arguments), `post` (the 2,048-byte urlencoded body of make_post_body, with
Content-Type application/x-www-form-urlencoded), `attack` (a SQL injection, answered 403 by the
default rules) and `close` (`Connection: close`, a new connection per request). `--keep FILE`
keeps the callgrind output of the 3N run for `callgrind_annotate --inclusive=yes`. `--block-log` adds `--block-log FILE` (the binary must
support it). Used to measure what the block log and counters cost (docs/OBSERVABILITY.md).
Runs a copy of the binary without debug info (`strip --strip-debug`): this valgrind cannot read
the DWARF 5 that Swift emits.
"""

import argparse
import http.server
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time


class Upstream(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = b"ok\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.do_GET()

    def log_message(self, *args):
        pass


# The requests of peer_bench.sh (ARGS_PATH, ATTACK_PATH, HOSTHDR, UA, make_post_body).
BENCH_HEADERS = b"Host: bench.local\r\nUser-Agent: peer-bench/1.0 (wrk)\r\nAccept: */*\r\n"
ARGS_PATH = ("/index.html?user=alice&page=2&sort=desc&lang=en&id=12345&ref=home&color=blue&size=m&qty=3"
             "&session=abcdef123456")
ATTACK_PATH = "/?id=1%27%20OR%20%271%27%3D%271"


def post_body():
    """The 2,048-byte body of make_post_body: only [a-z0-9=&]."""
    body, i = "", 1
    while len(body) < 2048:
        body += ("&" if body else "") + f"field{i:02d}=value{i:02d}abcdefghijklmnopqrstuvwxyz0123456789"
        i += 1
    return body[:2048].encode()


def scenario_request(name):
    """The bytes wrk sends for one request of scenario `name`."""
    if name == "get":
        return b"GET /index.html HTTP/1.1\r\n" + BENCH_HEADERS + b"\r\n"
    if name == "args":
        return f"GET {ARGS_PATH} HTTP/1.1\r\n".encode() + BENCH_HEADERS + b"\r\n"
    if name == "attack":
        return f"GET {ATTACK_PATH} HTTP/1.1\r\n".encode() + BENCH_HEADERS + b"\r\n"
    if name == "close":
        return b"GET /index.html HTTP/1.1\r\n" + BENCH_HEADERS + b"Connection: close\r\n\r\n"
    body = post_body()
    return (b"POST /submit HTTP/1.1\r\n" + BENCH_HEADERS
            + b"Content-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def read_response(sock, buf):
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed")
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
    while len(rest) < length:
        rest += sock.recv(65536)
    return head, rest[length:]


def connect(port, proc):
    deadline = time.time() + 120
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=60)
        except OSError:
            if time.time() > deadline:
                proc.kill()
                raise
            time.sleep(0.2)


def run(binary, args, n, upstream_port, request, new_connection_each, keep=None):
    port = free_port()
    out = tempfile.mktemp(prefix="callgrind.out.")
    cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary, "run", "--loops", "1",
           "--listen", f"127.0.0.1:{port}", "--upstream", f"http://127.0.0.1:{upstream_port}"] + args
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sock = connect(port, proc)
    buf = b""
    for _ in range(n):
        if new_connection_each and sock is None:
            sock, buf = connect(port, proc), b""
        sock.sendall(request)
        _, buf = read_response(sock, buf)
        if new_connection_each:
            while sock.recv(65536):  # the proxy closes after its response
                pass
            sock.close()
            sock = None
    if sock is not None:
        sock.close()
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=120)
    with open(out) as f:
        text = f.read()
    if keep:
        shutil.move(out, keep)
    else:
        os.unlink(out)
    return int(re.search(r"^(?:summary|totals):\s*(\d+)", text, re.M).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--rules", default="Bench/no-rules.yaml")
    ap.add_argument("--path", default="/")
    ap.add_argument("--scenario", choices=["get", "args", "post", "attack", "close"],
                    help="send the request of this make-bench scenario instead of GET PATH")
    ap.add_argument("--keep", help="keep the callgrind output of the larger run here")
    ap.add_argument("--block-log", action="store_true")
    ap.add_argument("--n", type=int, default=400)
    a = ap.parse_args()
    stripped = tempfile.mktemp(prefix="portcullis-stripped.")
    shutil.copy(a.binary, stripped)
    subprocess.run(["strip", "--strip-debug", stripped], check=True)
    a.binary = stripped
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    args = ["--rules", a.rules]
    if a.block_log:
        args += ["--block-log", tempfile.mktemp(prefix="blocks.", suffix=".log")]
    if a.scenario:
        request, what = scenario_request(a.scenario), f"scenario {a.scenario}"
    else:
        request = f"GET {a.path} HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: bench/1.0\r\n\r\n".encode()
        what = a.path
    close_each = a.scenario == "close"
    small = run(a.binary, args, a.n, server.server_port, request, close_each)
    large = run(a.binary, args, 3 * a.n, server.server_port, request, close_each, a.keep)
    os.unlink(stripped)
    print(f"{(large - small) / (2 * a.n):.0f} instructions/request  "
          f"({os.path.basename(a.rules)}, {what}, block log {'on' if a.block_log else 'off'})")


if __name__ == "__main__":
    main()
