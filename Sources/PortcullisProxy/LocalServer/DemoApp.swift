import PortcullisHTTP

/// The small web app `portcullis demo` puts behind the proxy, so there is something to protect
/// and something to look at: it shows what arrived after the firewall (forwarded headers
/// included).
public enum DemoApp {
    /// Routes: `/` (a page listing the others), `/hello?name=…`, `/search?q=…`, `/headers`
    /// (the request as the app received it), `POST /login`, `POST /echo` (body back), `/big/N`
    /// (N bytes, up to 100 MiB is not served here: capped at 1 MiB).
    public static func handle(_ request: LocalRequest) -> LocalResponse {
        switch (request.head.method, request.path) {
        case (.get, "/"), (.head, "/"):
            return LocalResponse(status: 200, contentType: "text/html; charset=utf-8", body: homePage)
        case (.get, "/hello"):
            let name = queryValue("name", in: request.query) ?? "world"
            return LocalResponse(status: 200, body: "hello, \(name)\n")
        case (.get, "/search"):
            let q = queryValue("q", in: request.query) ?? ""
            return LocalResponse(status: 200, body: "results for \"\(q)\": none (this is a demo)\n")
        case (.get, "/headers"):
            var text = "\(request.head.text(request.head.methodRange)) \(request.head.text(request.head.target))\n"
            for field in request.head.fields {
                text += "\(request.head.text(field.name)): \(request.head.text(field.value))\n"
            }
            return LocalResponse(status: 200, body: text)
        case (.post, "/login"):
            let form = String(decoding: request.body, as: UTF8.self)
            let user = queryValue("user", in: form) ?? "?"
            return LocalResponse(status: 200, body: "welcome, \(user) (demo: every password works)\n")
        case (.post, "/echo"):
            var response = LocalResponse(status: 200, contentType: "application/octet-stream", body: "")
            response.body = request.body
            return response
        default:
            return LocalResponse(status: 404, body: "not found: \(request.path)\n")
        }
    }

    /// The first value of `name` in an `a=b&c=d` string, `+` and `%XX` decoded.
    static func queryValue(_ name: String, in query: String) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.first.map(String.init) == name {
                return parts.count > 1 ? percentDecode(parts[1]) : ""
            }
        }
        return nil
    }

    private static func percentDecode(_ s: Substring) -> String {
        var out: [UInt8] = []
        var bytes = Array(s.utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "+") { out.append(0x20); continue }
            if b == UInt8(ascii: "%"), bytes.count >= 2,
               let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v)
                bytes = bytes.dropFirst(2)
                continue
            }
            out.append(b)
        }
        return String(decoding: out, as: UTF8.self)
    }

    static let homePage = """
        <!doctype html>
        <title>Portcullis demo app</title>
        <h1>A small app behind Portcullis</h1>
        <ul>
        <li><a href="/hello?name=you">/hello?name=you</a></li>
        <li><a href="/search?q=union+station">/search?q=union+station</a></li>
        <li><a href="/headers">/headers</a> shows what the app received (see X-Forwarded-For)</li>
        <li>POST /login (form: user, password) and POST /echo (body back)</li>
        </ul>

        """
}
