import Dispatch
import Glibc
import PortcullisHTTP
import Synchronization

/// A loopback upstream whose every connection runs a script: answer normally, never answer,
/// close, reset, or send half a response. Runs on blocking threads so the proxy under test is the
/// only non-blocking code in play.
final class ScriptedUpstream: Sendable {
    let port: UInt16
    private let listenFD: Int32
    private let state = Mutex(Recorded())
    /// Whether the listening socket was shut down / closed. Only the accept thread closes it, after
    /// its last `accept`: closed by `stop` while that thread was about to call `accept`, the number
    /// could be reused by another test's listening socket, whose connections this upstream's
    /// thread would then take (and record here, not there).
    private let listening = Mutex((shutDown: false, closed: false))
    private let requestArrived = DispatchSemaphore(value: 0)
    private let connectionEnded = DispatchSemaphore(value: 0)

    struct Recorded {
        var connections = 0
        var requests: [RequestHead] = []
        var bodies: [[UInt8]] = []
        var peerClosedEarly = 0
    }

    typealias Script = @Sendable (UpstreamPeer) -> Void

    init(script: @escaping Script) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        listenFD = fd
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0, listen(fd, 128) == 0 else { throw TestError("upstream bind failed") }
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        port = UInt16(bigEndian: bound.sin_port)
        BlockingThread.start { [self] in
            while true {
                let c = accept(fd, nil, nil)
                if c < 0 {
                    if errno == EINTR || errno == ECONNABORTED { continue }
                    listening.withLock { $0.closed = true; close(fd) }
                    return
                }
                state.withLock { $0.connections += 1 }
                BlockingThread.start { [self] in
                    let peer = UpstreamPeer(fd: c, upstream: self)
                    script(peer)
                    peer.finish()
                    connectionEnded.signal()
                }
            }
        }
    }

    /// Stops accepting (open connections end with their scripts).
    func stop() {
        listening.withLock {
            guard !$0.shutDown, !$0.closed else { return }
            $0.shutDown = true
            shutdown(listenFD, Int32(SHUT_RDWR))
        }
    }

    var recorded: Recorded { state.withLock { $0 } }

    fileprivate func record(_ head: RequestHead, body: [UInt8]) {
        state.withLock { $0.requests.append(head); $0.bodies.append(body) }
        requestArrived.signal()
    }

    fileprivate func recordEarlyClose() { state.withLock { $0.peerClosedEarly += 1 } }

    /// Waits (bounded) until a request has been received.
    func waitForRequest(seconds: Int = 10) -> Bool {
        requestArrived.wait(timeout: .now() + .seconds(seconds)) == .success
    }

    /// Waits (bounded) until a connection's script has ended.
    func waitForConnectionEnd(seconds: Int = 10) -> Bool {
        connectionEnded.wait(timeout: .now() + .seconds(seconds)) == .success
    }

    /// A port nothing listens on, so connecting to it is refused. The port stays bound (without
    /// `listen`) for the whole test process: released, it could be handed to another test's
    /// listening socket running at the same time, and a test expecting a refusal would connect.
    static func closedPort() -> UInt16 { refusingPort }

    private static let refusingPort: UInt16 = {
        // No SO_REUSEADDR: no other socket may bind this port while this one holds it.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        precondition(fd >= 0 && rc == 0, "cannot bind a loopback port: errno \(errno)")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return UInt16(bigEndian: addr.sin_port)
    }()
}

/// One accepted upstream connection as seen by a script.
final class UpstreamPeer: @unchecked Sendable {
    let fd: Int32
    private unowned let upstream: ScriptedUpstream
    private var buffer: [UInt8] = []
    private var parser = RequestParser()
    private var finished = false
    /// Bytes asked of each `recv`; small values make a slow reader (the proxy's sends to it then
    /// complete in parts).
    var readSize = 65536
    /// The body of the request `readRequest` returned last.
    private(set) var lastBody: [UInt8] = []

    fileprivate init(fd: Int32, upstream: ScriptedUpstream) {
        self.fd = fd
        self.upstream = upstream
        var tv = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Reads one whole request (head and body); nil when the proxy closed first.
    func readRequest() -> RequestHead? {
        var head: RequestHead?
        var body: [UInt8] = []
        while true {
            var offset = 0
            while true {
                let snapshot = buffer
                let (used, event) = snapshot[offset...].withUnsafeBytes { parser.next($0) }
                let start = offset
                offset += used
                switch event {
                case .needMore: break
                case .head(let h): head = h; continue
                case .body(let r): body.append(contentsOf: snapshot[(start + r.lowerBound)..<(start + r.upperBound)]); continue
                case .end:
                    buffer.removeFirst(offset)
                    lastBody = body
                    if let head { upstream.record(head, body: body) }
                    return head
                case .reject: return nil
                }
                break
            }
            buffer.removeFirst(offset)
            var chunk = [UInt8](repeating: 0, count: readSize)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { upstream.recordEarlyClose(); return nil }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    func write(_ text: String) { write(Array(text.utf8)) }

    func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    /// Blocks until the proxy closes its side (EOF or reset); true if it did within the timeout.
    func waitForPeerClose() -> Bool {
        var byte: UInt8 = 0
        while true {
            let n = recv(fd, &byte, 1, 0)
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }

    /// Closes with RST.
    func reset() {
        var l = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
        finish()
    }

    func finish() {
        guard !finished else { return }
        finished = true
        close(fd)
    }
}
