import PortcullisHTTP

/// The request `portcullis explain` and `portcullis bench` evaluate, from what a person has at
/// hand: raw HTTP (as captured, CRLF line ends, or typed with plain `\n`), or curl-like parts
/// (URL, method, headers, data).
public enum ExplainRequest {
    public typealias Parsed = (head: RequestHead, body: [UInt8])

    /// Raw HTTP: bytes with a CRLF blank line are parsed exactly as sent; anything else is read
    /// as typed text the way rule examples are (`\n` line ends, `Host` and `Content-Length`
    /// added when missing; see `ExampleRequest`).
    public static func raw(_ bytes: [UInt8]) -> Result<Parsed, ExampleRequestError> {
        if contains(bytes, [0x0D, 0x0A, 0x0D, 0x0A]) { return ExampleRequest.parse(wire: bytes) }
        return ExampleRequest.parse(String(decoding: bytes, as: UTF8.self))
    }

    /// A request built like curl builds one: `url` is `http://host[:port]/path?query` or an
    /// origin-form `/path?query` (then `Host: example.test`); `method` defaults to GET, or POST
    /// with `data`; `data` gets `Content-Type: application/x-www-form-urlencoded` unless a header
    /// names another, and a `Content-Length`.
    public static func url(_ url: String, method: String? = nil, headers: [String] = [],
                           data: [UInt8]? = nil) -> Result<Parsed, ExampleRequestError> {
        var host = ExampleRequest.host
        var target = url
        // Only a leading scheme makes an absolute URL: `://` inside a query (`?u=php://…`) is data.
        let lowered = url.prefix(8).lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://"), let scheme = url.firstRange(of: "://") {
            let rest = url[scheme.upperBound...]
            let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
            host = String(rest[..<slash])
            target = String(rest[slash...])
            if target.hasPrefix("?") { target = "/" + target }
            if target.isEmpty { target = "/" }
            guard !host.isEmpty else { return .failure(ExampleRequestError(message: "no host in URL '\(url)'")) }
        }
        guard target.hasPrefix("/") else {
            return .failure(ExampleRequestError(message: "bad URL '\(url)'; expected http://host/path or /path"))
        }
        if target.contains(" ") {
            return .failure(ExampleRequestError(message: "spaces in the URL must be written %20"))
        }
        var lines = ["\(method ?? (data == nil ? "GET" : "POST")) \(target) HTTP/1.1"]
        var names = Set<String>()
        for header in headers {
            guard let colon = header.firstIndex(of: ":"), colon != header.startIndex else {
                return .failure(ExampleRequestError(message: "bad header '\(header)'; expected 'Name: value'"))
            }
            names.insert(header[..<colon].lowercased())
            lines.append(header)
        }
        if !names.contains("host") { lines.insert("Host: \(host)", at: 1) }
        if let data {
            if !names.contains("content-type") { lines.append("Content-Type: application/x-www-form-urlencoded") }
            if !names.contains("content-length") && !names.contains("transfer-encoding") {
                lines.append("Content-Length: \(data.count)")
            }
        }
        var bytes = Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
        bytes += data ?? []
        return ExampleRequest.parse(wire: bytes)
    }

    private static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        guard bytes.count >= needle.count else { return false }
        for i in 0...(bytes.count - needle.count) where bytes[i..<(i + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }
}
