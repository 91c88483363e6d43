#!/usr/bin/env python3
"""End-to-end check of what Portcullis shows: the block log, X-Request-Id, /metrics, the admin guard.

    python3 scripts/observe.py BINARY

Starts `BINARY demo` (the built-in demo app with the proxy in front, default rules) on loopback
ports chosen by the kernel, with a config file that writes the block log to a temporary file,
redacts cookie:session and header:authorization, and opens the admin listener. Sends attacks and
ordinary requests, then checks that every attack's request id is in the log as a block with its
rule, that redacted values never reach the file, that GET /metrics counted the traffic, that the
log follows a rename after SIGUSR1, and that an admin address off loopback or an unknown
block_log key is refused with a clear message. Prints PASS or FAIL per check; exit status 1 on
any FAIL. Needs nothing outside the repository.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

START_TIMEOUT = 20.0
failures = []


def check(ok, what, seen=""):
    print(("PASS " if ok else "FAIL ") + what + ("" if ok or not seen else f" (saw: {seen})"))
    if not ok:
        failures.append(what)


def free_ports(n):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def wait_listening(port, proc):
    deadline = time.time() + START_TIMEOUT
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def request(url, headers=None, data=None, method=None):
    """(status, headers, body) of one request; HTTP errors are answers too."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def log_lines(path):
    out = []
    with open(path, "rb") as f:
        for raw in f.read().splitlines():
            out.append(json.loads(raw))   # every line must be one JSON object
    return out


def wait_for_lines(path, ids):
    """The block log's lines once every request id in `ids` has one (at most 10 s): the writer
    thread may still be writing the last line when the line count is already reached."""
    deadline = time.time() + 10
    while True:
        lines = []
        if os.path.exists(path):
            try:
                lines = log_lines(path)
            except ValueError:
                lines = []
        if ids <= {line.get("request_id") for line in lines} or time.time() >= deadline:
            return lines
        time.sleep(0.05)


def metrics(admin):
    _, _, body = request(f"http://127.0.0.1:{admin}/metrics")
    samples = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


ATTACKS = [
    ("sqli", "/search?q=1%27%20OR%20%271%27%3D%271", {}, None),
    ("xss", "/search?q=%3Cscript%3Ealert(1)%3C/script%3E", {}, None),
    ("scanner", "/", {"User-Agent": "sqlmap/1.7"}, None),
    ("cmd", "/login", {"Content-Type": "application/x-www-form-urlencoded"}, b"user=x;cat /etc/passwd"),
    ("sqli in a redacted cookie", "/account",
     {"Cookie": "session=TOPSECRET%27%20OR%20%271%27%3D%271", "Authorization": "Bearer TOPSECRET-token"}, None),
]


def main():
    binary = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="portcullis-observe-")
    app, front, admin = free_ports(3)
    log = os.path.join(tmp, "blocks.log")
    config = os.path.join(tmp, "portcullis.yaml")
    with open(config, "w") as f:
        f.write(f"admin: 127.0.0.1:{admin}\n"
                f"block_log: {{ path: {log}, value_limit: 64, redact: [cookie:session, header:authorization] }}\n")
    proc = subprocess.Popen([binary, "demo", "--app", f"127.0.0.1:{app}", "--listen", f"127.0.0.1:{front}",
                             "--config", config], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if not wait_listening(front, proc) or not wait_listening(admin, proc):
            check(False, "proxy and admin listener start", proc.stderr.read().decode() if proc.poll() is not None else "timeout")
            return
        base = f"http://127.0.0.1:{front}"
        before = metrics(admin)
        ids = {}
        for name, path, headers, body in ATTACKS:
            status, h, _ = request(base + path, headers, body)
            check(status == 403, f"attack '{name}' answered 403", status)
            ids[name] = h.get("X-Request-Id")
            check(bool(ids[name]), f"attack '{name}' answer carries X-Request-Id")
        status, h, body = request(base + "/headers", {"X-Request-Id": "client-chosen"})
        check(status == 200, "an ordinary request passes", status)
        rid = h.get("X-Request-Id")
        check(rid and rid != "client-chosen" and rid.encode() in body,
              "the proxy's X-Request-Id replaces the client's and reaches the app", rid)

        # The default rules' login-burst limit (rule 2001): 10 login POSTs per client per minute.
        limited_id = None
        for i in range(12):
            status, h, _ = request(base + "/login", {"Content-Type": "application/x-www-form-urlencoded"},
                                   f"user=alice&password=guess{i}".encode())
            if status == 429:
                limited_id = h.get("X-Request-Id")
                check(h.get("Retry-After") is not None, "the rate-limited answer carries Retry-After")
                break
        check(limited_id is not None, "the 12th login attempt at the latest is answered 429")

        lines = wait_for_lines(log, {i for i in list(ids.values()) + [limited_id] if i})
        by_id = {line.get("request_id"): line for line in lines}
        for name, *_ in ATTACKS:
            line = by_id.get(ids[name])
            ok = line is not None and line["verdict"] == "block" and line["status"] == 403 \
                and isinstance(line["rule"], int) and any(m["id"] == line["rule"] for m in line["matches"])
            check(ok, f"attack '{name}' is in the block log as a block with its rule", line)
        line = by_id.get(limited_id, {})
        limits = line.get("rate_limits") or [{}]
        check(line.get("verdict") == "rate_limit" and line.get("status") == 429 and limits[0].get("id") == 2001
              and limits[0].get("decision") == "rejected" and "127.0.0.1" in limits[0].get("key", ""),
              "the rate-limited request is in the log with its rule, key and counts", line)
        fields = {"time", "request_id", "client", "method", "path", "http_version", "host", "user_agent",
                  "verdict", "status", "rule", "inspection_us", "matches"}
        check(all(fields <= set(l) for l in lines), "every line has every field")
        with open(log, "rb") as f:
            raw = f.read()
        check(b"TOPSECRET" not in raw, "redacted cookie and authorization values never reach the file")
        secret = by_id.get(ids["sqli in a redacted cookie"], {})
        check(any(m["target"] == "cookie:session" and m["value"] == "[redacted]" for m in secret.get("matches", [])),
              "the match in the redacted cookie is logged with its target and [redacted]", secret.get("matches"))

        after = metrics(admin)
        blocked = after.get('portcullis_requests_total{verdict="block",status_class="4xx"}', 0) \
            - before.get('portcullis_requests_total{verdict="block",status_class="4xx"}', 0)
        check(blocked == len(ATTACKS), f"/metrics counted {len(ATTACKS)} blocked requests", blocked)
        for name, *_ in ATTACKS:
            rule = by_id.get(ids[name], {}).get("rule")
            key = f'portcullis_rule_matches_total{{rule="{rule}",action="block"}}'
            check(after.get(key, 0) >= 1, f"/metrics counted rule {rule}'s match", after.get(key))
        check(after.get('portcullis_rate_limit_rejections_total{rule="2001"}', 0) == 1,
              "/metrics counted the rate-limit rejection of rule 2001", after.get('portcullis_rate_limit_rejections_total{rule="2001"}'))
        check(after.get('portcullis_requests_total{verdict="rate_limit",status_class="4xx"}', 0) == 1,
              "/metrics counted the rate-limited request under verdict rate_limit")
        check(after.get('portcullis_block_log_events_total{outcome="written"}', 0) >= len(ATTACKS),
              "/metrics counted the written log lines")
        check(after.get("portcullis_inspection_duration_seconds_count", 0) >= len(ATTACKS) + 1,
              "/metrics has the inspection-time histogram")
        _, _, rules = request(f"http://127.0.0.1:{admin}/rules")
        info = json.loads(rules)
        check(info.get("rules", 0) > 0 and info.get("id") and info.get("files"), "GET /rules shows the set's id, files and count", info)

        os.rename(log, log + ".1")
        proc.send_signal(signal.SIGUSR1)
        deadline = time.time() + 10
        while not os.path.exists(log) and time.time() < deadline:
            time.sleep(0.05)
        check(os.path.exists(log), "SIGUSR1 reopens the block log at its path")
        status, h, _ = request(base + ATTACKS[0][1])
        fresh = wait_for_lines(log, {h.get("X-Request-Id")})
        check(any(l["request_id"] == h.get("X-Request-Id") for l in fresh), "after rotation, new lines go to the new file")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()

    # The admin listener stays on loopback unless explicitly allowed.
    port = free_ports(1)[0]
    r = subprocess.run([binary, "run", "--listen", f"127.0.0.1:{free_ports(1)[0]}", "--admin", f"0.0.0.0:{port}"],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode != 0 and "--admin-public" in r.stderr, "an admin address off loopback is refused without --admin-public",
          r.stderr.strip())
    bad = os.path.join(tmp, "bad.yaml")
    with open(bad, "w") as f:
        f.write("block_log:\n  path: /tmp/x.log\n  colour: red\n")
    r = subprocess.run([binary, "run", "--config", bad], capture_output=True, text=True, timeout=30)
    check(r.returncode != 0 and f"{bad}:3:3: unknown key 'colour'" in r.stderr, "an unknown block_log key is a located error",
          r.stderr.strip())
    bad2 = os.path.join(tmp, "bad2.yaml")
    with open(bad2, "w") as f:
        f.write("block_log: { path: /tmp/x.log, redact: [password] }\n")
    r = subprocess.run([binary, "run", "--config", bad2], capture_output=True, text=True, timeout=30)
    check(r.returncode != 0 and f"{bad2}:1:41:" in r.stderr and "KIND:NAME" in r.stderr,
          "a redact entry without a kind is a located error", r.stderr.strip())


if __name__ == "__main__":
    main()
    print()
    if failures:
        print(f"observe: {len(failures)} check(s) FAILED")
        sys.exit(1)
    print("observe: all checks passed")
