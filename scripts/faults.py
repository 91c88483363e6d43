#!/usr/bin/env python3
"""Fault tests of the built proxy with real sockets on loopback.

Starts ../shared/http-cases/upstream.py and the proxy binary, then checks:
  - upstream fault paths: /close, /rst, /partial, /partial-fin, /slowbody, /delay past the timeout
  - 1,000 slowloris connections: a normal client is still served (latency measured) and the slow
    ones are answered 408 and closed after the header timeout (reap time measured)
  - descriptor exhaustion: with RLIMIT_NOFILE lowered, the proxy refuses nothing it cannot hold,
    logs, does not spin, and serves again once descriptors are free
Prints PASS/FAIL per check and the measured figures; exits non-zero on any FAIL.
Every wait is bounded. Usage: faults.py BINARY UPSTREAM_PY
"""
import os, resource, socket, subprocess, sys, tempfile, time

BIN, UPSTREAM_PY = sys.argv[1], sys.argv[2]
failures = []


def check(name, ok, detail=""):
    print("%s %s%s" % ("PASS" if ok else "FAIL", name, (" — " + detail) if detail else ""))
    if not ok:
        failures.append(name)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port, seconds=20):
    end = time.time() + seconds
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def request(port, raw, timeout=10.0):
    """Sends raw bytes, returns (status or None, body bytes, closed_cleanly, error text)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(raw)
    data, err = b"", ""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            data += d
    except ConnectionResetError:
        err = "reset"
    except socket.timeout:
        err = "timeout"
    s.close()
    status = None
    if data.startswith(b"HTTP/1."):
        status = int(data[9:12])
    head, _, body = data.partition(b"\r\n\r\n")
    return status, head, body, err


def start_proxy(upstream_port, config_text, nofile=None):
    port = free_port()
    cfg = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
    cfg.write(config_text)
    cfg.close()
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)

    def limit():
        if nofile:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    p = subprocess.Popen([BIN, "run", "--listen", "127.0.0.1:%d" % port,
                          "--upstream", "http://127.0.0.1:%d" % upstream_port,
                          "--config", cfg.name, "--loops", "1"],
                         stdout=log, stderr=subprocess.STDOUT, preexec_fn=limit)
    if not wait_port(port):
        p.kill()
        raise SystemExit("proxy did not start: " + open(log.name).read())
    return p, port, log.name


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    h = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (h, h))
    up_port = free_port()
    up_log = tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False).name
    upstream = subprocess.Popen([sys.executable, UPSTREAM_PY, "--port", str(up_port), "--log", up_log,
                                 "--max-seconds", "300"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs = [upstream]
    try:
        if not wait_port(up_port):
            raise SystemExit("upstream.py did not start")
        proxy, port, plog = start_proxy(up_port, "upstream_timeout: 2s\nclient_header_timeout: 3s\n")
        procs.append(proxy)
        get = lambda path: ("GET %s HTTP/1.1\r\nHost: t\r\n\r\n" % path).encode()

        st, head, body, err = request(port, get("/close"))
        check("/close → 502", st == 502, "status %s" % st)
        st, head, body, err = request(port, get("/rst"))
        check("/rst → 502", st == 502, "status %s" % st)
        st, head, body, err = request(port, get("/partial"))
        check("/partial (RST after 1000 of 100000 bytes) → truncated, connection cut",
              st == 200 and len(body) < 100000 and err == "reset", "status %s, %d body bytes, %s" % (st, len(body), err or "clean close"))
        st, head, body, err = request(port, get("/partial-fin"))
        check("/partial-fin (FIN after 1000 of 100000 bytes) → truncated, connection cut",
              st == 200 and len(body) < 100000 and err == "reset", "status %s, %d body bytes, %s" % (st, len(body), err or "clean close"))
        st, head, body, err = request(port, get("/slowbody/50"))
        check("/slowbody/50 → complete 100-byte body", st == 200 and body == b"y" * 100, "status %s, %d bytes" % (st, len(body)))
        t0 = time.time()
        st, head, body, err = request(port, b"GET /delay/5000 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        check("/delay/5000 with upstream_timeout 2s → 504", st == 504 and time.time() - t0 < 4.5,
              "status %s after %.2fs" % (st, time.time() - t0))

        # 1,000 slowloris connections, each with a partial head.
        slow = []
        for _ in range(1000):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ")
            slow.append(s)
        opened = time.time()
        lat = []
        normal = socket.create_connection(("127.0.0.1", port), timeout=5)
        for _ in range(200):
            t = time.perf_counter()
            normal.sendall(get("/"))
            data = b""
            while b"\r\n\r\n" not in data or not data.endswith(b"\n"):
                d = normal.recv(65536)
                if not d:
                    break
                data += d
            lat.append((time.perf_counter() - t) * 1000)
        normal.close()
        lat.sort()
        p50, p99 = lat[len(lat) // 2], lat[int(len(lat) * 0.99) - 1]
        check("normal client served while 1,000 slowloris connections are open",
              len(lat) == 200 and p99 < 100, "200 requests, p50 %.2f ms, p99 %.2f ms" % (p50, p99))
        reaped, answered = 0, 0
        deadline = opened + 10
        last = opened
        for s in slow:
            s.settimeout(max(0.1, deadline - time.time()))
            try:
                d = s.recv(4096)
                if d.startswith(b"HTTP/1.1 408"):
                    answered += 1
                while d:
                    d = s.recv(4096)
                reaped += 1
                last = time.time()
            except OSError:
                pass
            s.close()
        check("slowloris connections answered 408 and closed after the 3 s header timeout",
              reaped == 1000 and answered == 1000,
              "%d/1000 closed, %d got 408, last closed %.2f s after they were opened" % (reaped, answered, last - opened))
        proxy.terminate()
        proxy.wait(10)

        # Descriptor exhaustion: 64 descriptors, 80 clients.
        proxy, port, plog = start_proxy(up_port, "", nofile=64)
        procs.append(proxy)
        held = []
        for _ in range(80):
            try:
                held.append(socket.create_connection(("127.0.0.1", port), timeout=2))
            except OSError:
                break
        cpu0 = cpu_seconds(proxy.pid)
        time.sleep(1.0)  # measuring CPU use over a second of exhaustion, not waiting for an outcome
        cpu_used = cpu_seconds(proxy.pid) - cpu0
        check("out of descriptors: no busy loop", cpu_used < 0.3, "%.2f s CPU in 1 s while at the limit" % cpu_used)
        log_text = open(plog).read()
        check("out of descriptors: logged", "accept failed" in log_text and "pausing accepts" in log_text)
        for s in held:
            s.close()
        ok = False
        end = time.time() + 5
        while time.time() < end and not ok:
            try:
                st, _, _, _ = request(port, get("/"), timeout=2)
                ok = st == 200
            except OSError:
                time.sleep(0.1)
        check("out of descriptors: recovers when descriptors are free", ok)
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
    print("faults: %d failed" % len(failures))
    sys.exit(1 if failures else 0)


main()
