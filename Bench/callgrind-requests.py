#!/usr/bin/env python3
"""Instructions per proxied request, counted by callgrind (independent of machine load).

    python3 Bench/callgrind-requests.py BINARY [--rules FILE] [--path /x] [--block-log] [--n 400]

Starts a small keep-alive upstream and `BINARY run --loops 1` under `valgrind --tool=callgrind`
twice: once sending N requests, once 3N, each over one keep-alive connection. Prints the
instructions per request as the difference of the two totals divided by 2N, so start-up,
rule compilation and shutdown cancel out. `--block-log` adds `--block-log FILE` (the binary must
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

    def log_message(self, *args):
        pass


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


def run(binary, args, n, upstream_port, path):
    port = free_port()
    out = tempfile.mktemp(prefix="callgrind.out.")
    cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary, "run", "--loops", "1",
           "--listen", f"127.0.0.1:{port}", "--upstream", f"http://127.0.0.1:{upstream_port}"] + args
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while True:
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=60)
            break
        except OSError:
            if time.time() > deadline:
                proc.kill()
                raise
            time.sleep(0.2)
    request = f"GET {path} HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: bench/1.0\r\n\r\n".encode()
    buf = b""
    for _ in range(n):
        sock.sendall(request)
        _, buf = read_response(sock, buf)
    sock.close()
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=120)
    with open(out) as f:
        text = f.read()
    os.unlink(out)
    return int(re.search(r"^(?:summary|totals):\s*(\d+)", text, re.M).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--rules", default="Bench/no-rules.yaml")
    ap.add_argument("--path", default="/")
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
    small = run(a.binary, args, a.n, server.server_port, a.path)
    large = run(a.binary, args, 3 * a.n, server.server_port, a.path)
    os.unlink(stripped)
    print(f"{(large - small) / (2 * a.n):.0f} instructions/request  "
          f"({os.path.basename(a.rules)}, {a.path}, block log {'on' if a.block_log else 'off'})")


if __name__ == "__main__":
    main()
