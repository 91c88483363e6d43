#!/usr/bin/env python3
"""A tiny loopback origin for integrity tests: it hashes request bodies instead of logging them.

POST/PUT any path: reads the body (Content-Length or chunked) in a streaming way and answers
200 with `<sha256 hex> <byte count> <framing>\n`. GET: 200 "hash-upstream\n".
HTTP/1.1 with keep-alive; Python standard library only.

    python3 hash_upstream.py --port 21090 [--max-seconds 600]
"""
import argparse, hashlib, socketserver, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.reply(b"hash-upstream\n")

    def read_exact(self, n, digest):
        got = 0
        while got < n:
            chunk = self.rfile.read(min(1 << 20, n - got))
            if not chunk:
                raise ConnectionError("body ended early")
            digest.update(chunk)
            got += len(chunk)
        return got

    def do_POST(self):
        digest, total = hashlib.sha256(), 0
        te = self.headers.get("Transfer-Encoding", "").lower()
        if te == "chunked":
            framing = "chunked"
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += self.read_exact(size, digest)
                self.rfile.readline()
        else:
            framing = "cl"
            total = self.read_exact(int(self.headers.get("Content-Length", "0")), digest)
        self.reply(("%s %d %s\n" % (digest.hexdigest(), total, framing)).encode())

    do_PUT = do_POST


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--max-seconds", type=float, default=600)
    a = ap.parse_args()
    ThreadingHTTPServer.daemon_threads = True
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    threading.Timer(a.max_seconds, srv.shutdown).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
