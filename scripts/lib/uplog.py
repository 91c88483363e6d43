#!/usr/bin/env python3
"""Queries the JSON-lines log written by ../shared/http-cases/upstream.py.

  uplog.py LOG req TARGET FIELD...   fields of the last request with this exact target, one per
                                     line; FIELD is a request key (framing, body_len, conn, ...)
                                     or header:NAME (value, or <absent>) or header-names
  uplog.py LOG count TARGET          how many requests with this target the upstream parsed
Prints <none> for req when no such request was logged.
"""
import json, sys


def requests(path, target):
    out = []
    with open(path, "rb") as f:
        for line in f:
            if b'"event": "req"' not in line:
                continue       # skip the (possibly huge) raw-data lines cheaply
            e = json.loads(line)
            if e.get("event") == "req" and e.get("target") == target:
                out.append(e)
    return out


def field(req, name):
    if name == "header-names":
        return ",".join(h[0] for h in req["headers"])
    if name.startswith("header:"):
        want = name[len("header:"):].lower()
        vals = [v for n, v in req["headers"] if n == want]
        return ", ".join(vals) if vals else "<absent>"
    return str(req.get(name, "<absent>"))


def main():
    log, cmd, target = sys.argv[1], sys.argv[2], sys.argv[3]
    reqs = requests(log, target)
    if cmd == "count":
        print(len(reqs))
    elif cmd == "req":
        if not reqs:
            print("<none>")
            return
        for name in sys.argv[4:]:
            print(field(reqs[-1], name))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
