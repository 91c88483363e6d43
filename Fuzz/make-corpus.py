#!/usr/bin/env python3
"""Writes the seed corpus once (run by hand; the fuzz run never reads ../shared).

    python3 Fuzz/make-corpus.py [path/to/http-cases/cases.json]

Request seeds: hand-written valid and invalid requests plus the raw bytes of every case in the
shared http-cases suite. Response seeds: the shapes of ResponseParserTests plus bare chunked bodies.
"""
import base64, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))

REQUESTS = {
    "get": b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    "get-query-fields": b"GET /p/a?x=1&y=%41 HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: t\r\nAccept: */*\r\nCookie: a=b; c=d\r\n\r\n",
    "get-10": b"GET /old HTTP/1.0\r\n\r\n",
    "get-10-keepalive": b"GET / HTTP/1.0\r\nConnection: keep-alive\r\nHost: a\r\n\r\n",
    "head": b"HEAD /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    "post-cl": b"POST /f HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\na=1&b=2",
    "post-cl0": b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
    "post-chunked": b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1;q=\"a b\"\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
    "post-chunked-upper": b"PUT /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n",
    "pipelined": b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET /3 HTTP/1.1\r\nHost: a\r\n\r\n",
    "pipelined-chunked": b"POST /1 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
    "leading-crlf": b"\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
    "absolute-form": b"GET http://example.com/p?q=1 HTTP/1.1\r\nHost: other\r\n\r\n",
    "absolute-form-no-path": b"GET http://example.com?q HTTP/1.1\r\nHost: example.com\r\n\r\n",
    "options-star": b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
    "options-absolute": b"OPTIONS https://a:443 HTTP/1.1\r\nHost: a\r\n\r\n",
    "connect": b"CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n",
    "ipv6-host": b"GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
    "expect-continue": b"POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
    "connection-names-field": b"GET / HTTP/1.1\r\nHost: a\r\nConnection: X-Hop, keep-alive\r\nX-Hop: 1\r\nKeep-Alive: 5\r\nTE: trailers\r\nUpgrade: h2c\r\n\r\n",
    "xff": b"GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 10.0.0.1\r\nX-Forwarded-For: 10.0.0.2, 10.0.0.3\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: b\r\n\r\n",
    "custom-method": b"PURGE /c HTTP/1.1\r\nHost: a\r\n\r\n",
    "obs-text-value": b"GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\t \r\nEmpty:\r\n\r\n",
    "bad-bare-lf": b"GET / HTTP/1.1\nHost: a\n\n",
    "bad-te-gzip": b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
    "bad-chunk-ext": b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 ; a=\"x\\\"y\" \r\nhello\r\n0\r\n\r\n",
    "bad-version": b"GET / HTTP/2.0\r\nHost: a\r\n\r\n",
    "bad-expect": b"GET / HTTP/1.1\r\nHost: a\r\nExpect: nope\r\n\r\n",
}

RESPONSES = {
    "cl": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    "cl0": b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    "chunked-trailers": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n",
    "until-close": b"HTTP/1.1 200 OK\r\nServer: s\r\n\r\nabc",
    "head-like-cl": b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
    "204": b"HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n",
    "304": b"HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\nETag: \"x\"\r\n\r\n",
    "interim": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    "no-reason": b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
    "empty-reason": b"HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n",
    "bare-lf": b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
    "http10": b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx",
    "http10-keepalive": b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx",
    "connection-close": b"HTTP/1.1 200 OK\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\nContent-Length: 1\r\n\r\nx",
    "obs-text-reason": b"HTTP/1.1 200 \xc3\xa9t\xc3\xa9\r\nContent-Length: 0\r\n\r\n",
    "pipelined": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
    "truncated-head": b"HTTP/1.1 200 OK\r\nContent-Le",
    "cl-and-te": b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
    "dup-cl": b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
    "te-gzip": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
    "101": b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
    "obs-fold": b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n",
    "runaway-chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
    # Bare chunked bodies: the target also decodes the whole input as one.
    "body-chunked": b"5\r\nhello\r\n0\r\n\r\n",
    "body-chunked-ext": b"1;a;b=c;d=\"e\\\"f\" ;g\r\nx\r\n00000000000000010\r\n0123456789abcdef\r\n0\r\nT: v\r\nU:\r\n\r\n",
    "body-chunked-big-size": b"ffffffffffffffff\r\nab",
}


def write(folder, name, raw):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(raw)


def main():
    cases_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "shared", "http-cases", "cases.json")
    req = os.path.join(HERE, "corpus", "request")
    res = os.path.join(HERE, "corpus", "response")
    for name, raw in REQUESTS.items():
        write(req, name, raw)
    for name, raw in RESPONSES.items():
        write(res, name, raw)
    with open(cases_path) as f:
        cases = json.load(f)["cases"]
    for case in cases:
        write(req, "case-" + case["id"], base64.b64decode(case["raw_b64"]))
    print(f"{len(REQUESTS) + len(cases)} request seeds, {len(RESPONSES)} response seeds")


if __name__ == "__main__":
    main()
