#!/usr/bin/env python3
"""Prints N currently free loopback TCP ports, one per line (all bound at once, so distinct)."""
import socket, sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1
socks = []
for _ in range(n):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print("\n".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
