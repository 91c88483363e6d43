import PortcullisHTTP

/// One request of a `portcullis bench` request file, parsed once and evaluated many times.
public struct BenchRequest: Sendable {
    /// Where it came from and what it is, e.g. `line 3: GET /search?q=x`.
    public var label: String
    public var head: RequestHead
    public var body: [UInt8]
    public var client: [UInt8]

    public init(label: String, head: RequestHead, body: [UInt8], client: [UInt8]) {
        self.label = label
        self.head = head
        self.body = body
        self.client = client
    }
}

/// Reads the request files of `portcullis bench`, in one of three forms recognised by the first
/// line that is not blank or a `#` comment:
///
/// - **JSON lines** (first line starts with `{`): a block log to replay, one object per line.
///   `method`, `path` (or `target`/`uri`, which may carry a query), `http_version`, `host`,
///   `user_agent` and `client` are read when present; other fields are ignored. The block log
///   does not keep query strings or bodies, so a replay reproduces what depends on the rest.
/// - **Raw HTTP** (first line is a request line ending in `HTTP/1.x`): requests separated by a
///   line `###`; line ends `\n` or CRLF, `Host` and `Content-Length` added when missing (as in
///   rule examples).
/// - **URLs**: one per line, `http://host/path?query` or `/path?query`, optionally preceded by a
///   method (`POST /login`).
///
/// Every request must parse; a bad one is refused with its line number.
public enum BenchRequestFile {
    public static func parse(_ bytes: [UInt8], client: [UInt8] = Array(ExampleRequest.clientAddress.utf8))
        throws(BenchRequestError) -> [BenchRequest] {
        // CRLF is one Character in Swift: line ends are made LF before splitting.
        let text = String(decoding: bytes, as: UTF8.self).replacing("\r\n", with: "\n")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first(where: { !$0.isEmpty && !$0.hasPrefix("#") }) else {
            throw BenchRequestError(line: 1, message: "no requests in the file")
        }
        let requests: [BenchRequest]
        if first.hasPrefix("{") {
            requests = try jsonLines(lines, client: client)
        } else if first.hasSuffix(" HTTP/1.1") || first.hasSuffix(" HTTP/1.0") {
            requests = try rawRequests(lines, client: client)
        } else {
            requests = try urls(lines, client: client)
        }
        if requests.isEmpty { throw BenchRequestError(line: 1, message: "no requests in the file") }
        return requests
    }

    private static func urls(_ lines: [Substring], client: [UInt8]) throws(BenchRequestError) -> [BenchRequest] {
        var out: [BenchRequest] = []
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingSpaces
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let parts = trimmed.split(separator: " ", omittingEmptySubsequences: true)
            let method: String? = parts.count == 2 ? String(parts[0]) : nil
            guard parts.count <= 2, let url = parts.last else {
                throw BenchRequestError(line: index + 1, message: "expected a URL or 'METHOD URL'")
            }
            switch ExplainRequest.url(String(url), method: method) {
            case .success(let parsed):
                out.append(BenchRequest(label: "line \(index + 1): \(trimmed)", head: parsed.head, body: parsed.body,
                                        client: client))
            case .failure(let error):
                throw BenchRequestError(line: index + 1, message: error.message)
            }
        }
        return out
    }

    private static func rawRequests(_ lines: [Substring], client: [UInt8]) throws(BenchRequestError) -> [BenchRequest] {
        var out: [BenchRequest] = []
        var chunk: [Substring] = []
        var start = 0
        func flush() throws(BenchRequestError) {
            while chunk.first?.isEmpty == true { chunk.removeFirst(); start += 1 }
            while chunk.last?.isEmpty == true { chunk.removeLast() }
            guard !chunk.isEmpty else { return }
            let text = chunk.joined(separator: "\n") + "\n"
            switch ExampleRequest.parse(text) {
            case .success(let parsed):
                out.append(BenchRequest(label: "line \(start + 1): \(chunk[0])", head: parsed.head, body: parsed.body,
                                        client: client))
            case .failure(let error):
                throw BenchRequestError(line: start + 1, message: error.message)
            }
        }
        for (index, line) in lines.enumerated() {
            if line.trimmingSpaces == "###" {
                try flush()
                chunk = []
                start = index + 1
            } else if chunk.isEmpty && line.hasPrefix("#") {
                start = index + 1
            } else {
                chunk.append(line)
            }
        }
        try flush()
        return out
    }

    private static func jsonLines(_ lines: [Substring], client: [UInt8]) throws(BenchRequestError) -> [BenchRequest] {
        var out: [BenchRequest] = []
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingSpaces
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let scan = JSONScanner.scan(Array(trimmed.utf8), maxDepth: 16, maxScalars: 10_000)
            guard scan.outcome == .complete, trimmed.hasPrefix("{") else {
                throw BenchRequestError(line: index + 1, message: "not a JSON object")
            }
            var fields: [String: String] = [:]
            for scalar in scan.scalars where !scalar.name.contains(UInt8(ascii: ".")) {
                fields[String(decoding: scalar.name, as: UTF8.self)] = String(decoding: scalar.value, as: UTF8.self)
            }
            func field(_ name: String) -> String? {
                guard let value = fields[name], value != "null", !value.isEmpty else { return nil }
                return value
            }
            guard let target = field("target") ?? field("uri") ?? field("path") else {
                throw BenchRequestError(line: index + 1, message: "no path, target or uri field")
            }
            var headers: [String] = []
            if let host = field("host") { headers.append("Host: \(host)") }
            if let agent = field("user_agent") { headers.append("User-Agent: \(agent)") }
            var wire = "\(field("method") ?? "GET") \(target) \(field("http_version") ?? "HTTP/1.1")\r\n"
            if field("host") == nil { wire += "Host: \(ExampleRequest.host)\r\n" }
            for header in headers { wire += header + "\r\n" }
            wire += "\r\n"
            switch ExampleRequest.parse(wire: Array(wire.utf8)) {
            case .success(let parsed):
                let from = field("client").map { Array($0.utf8) } ?? client
                out.append(BenchRequest(label: "line \(index + 1): \(field("method") ?? "GET") \(target)",
                                        head: parsed.head, body: parsed.body, client: from))
            case .failure(let error):
                throw BenchRequestError(line: index + 1, message: error.message)
            }
        }
        return out
    }
}

/// A request file line that could not be used.
public struct BenchRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return s
    }
}
