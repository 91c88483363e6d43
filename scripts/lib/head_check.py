#!/usr/bin/env python3
"""HEAD must not carry a body: sends HEAD then GET on one connection to HOST:PORT and checks
that no byte follows the HEAD response's head and the GET after it is answered cleanly.
Prints one line saying what it saw; exits 0 when correct."""
import socket, sys, time

host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.create_connection((host, port), timeout=5)
s.sendall(b"HEAD %s HTTP/1.1\r\nHost: e2e\r\n\r\n" % path.encode())
buf = b""
deadline = time.time() + 5
while b"\r\n\r\n" not in buf and time.time() < deadline:
    d = s.recv(65536)
    if not d:
        break
    buf += d
head, _, extra = buf.partition(b"\r\n\r\n")
status = head.split(b"\r\n", 1)[0].decode("latin1")
s.settimeout(0.5)
try:
    more = s.recv(65536)     # a body wrongly sent after a HEAD response would arrive here
    extra += more
    closed = more == b""
except socket.timeout:
    closed = False
if closed:
    print("status=%r, connection closed after HEAD (keep-alive expected)" % status)
    sys.exit(1)
s.settimeout(5)
s.sendall(b"GET %s-after HTTP/1.1\r\nHost: e2e\r\nConnection: close\r\n\r\n" % path.encode())
rest = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    rest += d
after = rest.split(b"\r\n", 1)[0].decode("latin1")
ok = status.split(" ")[1:2] == ["200"] and not extra and after.startswith("HTTP/1.1 200")
print("HEAD status=%r, %d body bytes after HEAD head, next GET status=%r" % (status, len(extra), after))
sys.exit(0 if ok else 1)
