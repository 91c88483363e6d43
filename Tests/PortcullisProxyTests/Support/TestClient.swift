import Glibc
import PortcullisHTTP

/// A blocking loopback client for integration tests: sends raw bytes, reads whole responses with
/// the project's own response parser. Every read is bounded by a receive timeout.
final class TestClient {
    let fd: Int32
    private var buffer: [UInt8] = []
    private(set) var closedByPeer = false

    init(port: UInt16, timeoutSeconds: Int = 10) throws {
        // `self.fd` is set only once connected: a class whose stored properties are all set runs
        // its deinit when its init throws, and closing here and there closed the number twice.
        // Between the two, another test running at the same time could have been given it (a
        // proxy's socket, an epoll set), and the second close would have closed that.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 {
            let error = errno
            close(fd)
            throw TestError("connect to \(port) failed: errno \(error)")
        }
        self.fd = fd
    }

    deinit { close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { throw TestError("send failed: errno \(errno)") }
            offset += n
        }
    }

    /// Ends the sending side (a FIN); the client can still read.
    func closeWriting() { _ = shutdown(fd, Int32(SHUT_WR)) }

    /// Reads more bytes; false on EOF, reset or timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { closedByPeer = true; return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    struct Response {
        var head: ResponseHead
        var body: [UInt8]
        var status: Int { head.status }
        var bodyText: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? { head.firstValue(named: name) }
    }

    /// Reads one final response (interim 1xx heads are skipped); nil when the connection ended
    /// before a complete response.
    func readResponse(method: HTTPMethod = .get) -> Response? {
        var parser = ResponseParser()
        parser.reset(requestMethod: method)
        var head: ResponseHead?
        var body: [UInt8] = []
        while true {
            var offset = 0
            var done = false
            while offset < buffer.count || head != nil {
                let snapshot = buffer
                let (used, event) = snapshot[offset...].withUnsafeBytes { parser.next($0) }
                let start = offset
                offset += used
                switch event {
                case .needMore: break
                case .head(let h): if !h.isInterim { head = h }; continue
                case .body(let r): body.append(contentsOf: snapshot[(start + r.lowerBound)..<(start + r.upperBound)]); continue
                case .end: done = true
                case .reject: return nil
                }
                break
            }
            buffer.removeFirst(offset)
            if done, let head { return Response(head: head, body: body) }
            if !fill() {
                if case .end = parser.inputEnded(), let head { return Response(head: head, body: body) }
                return nil
            }
        }
    }

    /// Reads one response as the bytes that arrived: its head up to the blank line and then
    /// `Content-Length` body bytes (`bodyless`: none, as for HEAD). Nil when the connection ended
    /// first. For tests that compare a response byte for byte.
    func readRawResponse(bodyless: Bool = false) -> [UInt8]? {
        let blank: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while true {
            if headEnd == nil, buffer.count >= 4 {
                headEnd = (0...(buffer.count - 4)).first { buffer[$0..<($0 + 4)].elementsEqual(blank) }.map { $0 + 4 }
            }
            if let end = headEnd {
                let head = String(decoding: buffer[0..<end], as: UTF8.self).lowercased()
                let length = bodyless ? 0 : head.split(separator: "\r\n")
                    .first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingPrefix(" ")) } ?? 0
                if buffer.count >= end + length {
                    let raw = Array(buffer[0..<(end + length)])
                    buffer.removeFirst(end + length)
                    return raw
                }
            }
            if !fill() { return nil }
        }
    }

    /// Reads until the bytes not yet taken by another read contain `text` (they stay for the next
    /// read); false when the connection ended or the receive timeout passed first. For bytes that
    /// must arrive before a response is complete.
    func waitForBytes(containing text: String) -> Bool {
        let wanted = Array(text.utf8)
        while buffer.firstRange(of: wanted) == nil {
            if !fill() { return false }
        }
        return true
    }

    /// True when the peer closed (EOF or reset) within the receive timeout and sent nothing more.
    func waitForClose() -> Bool {
        while fill() {}
        return closedByPeer
    }
}

struct TestError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
