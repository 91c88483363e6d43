#!/usr/bin/env python3
"""Measures the proxy's resident memory while it holds N idle keep-alive connections.

Starts `BINARY demo` (proxy plus demo app in one process) on free loopback ports, opens N client
connections, sends one request on each and reads its answer, so each connection has served a
request and sits idle in keep-alive; then reads VmRSS of the process. Loopback only, bounded.
Usage: idle-connections.py BINARY [N=10000]
"""
import resource, socket, subprocess, sys, time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def rss_kib(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < n + 100:
        sys.exit("descriptor limit %d is too low for %d connections" % (hard, n))
    proxy_port, app_port = free_port(), free_port()
    proc = subprocess.Popen([binary, "demo", "--listen", "127.0.0.1:%d" % proxy_port,
                             "--app", "127.0.0.1:%d" % app_port, "--loops", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", proxy_port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        before = rss_kib(proc.pid)
        socks = []
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", proxy_port), timeout=10)
            s.sendall(b"GET /hello HTTP/1.1\r\nHost: demo\r\n\r\n")
            socks.append(s)
        for s in socks:
            data = b""
            while not data.endswith(b"\n") or b"\r\n\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    sys.exit("a connection closed early")
                data += chunk
        after = rss_kib(proc.pid)
        print("idle RSS %.1f MiB; with %d idle keep-alive connections %.1f MiB (+%.2f KiB per connection)"
              % (before / 1024, n, after / 1024, (after - before) / n))
        for s in socks:
            s.close()
    finally:
        proc.terminate()
        proc.wait(10)


main()
