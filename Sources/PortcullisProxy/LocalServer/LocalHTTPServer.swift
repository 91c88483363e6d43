import Dispatch
import Glibc
import Logging
import PortcullisEngine
import PortcullisHTTP

/// A request answered by Portcullis itself (the demo app, the admin endpoint).
public struct LocalRequest: Sendable {
    public let head: RequestHead
    /// The whole body (bounded by `LocalHTTPServer.maxBody`).
    public let body: [UInt8]
    /// Numeric address of the peer.
    public let peer: String

    /// The request target's path, without the query.
    public var path: String {
        let target = head.text(head.originFormTarget)
        if let q = target.firstIndex(of: "?") { return String(target[..<q]) }
        return target
    }

    /// The query string after `?`, or empty.
    public var query: String {
        let target = head.text(head.originFormTarget)
        if let q = target.firstIndex(of: "?") { return String(target[target.index(after: q)...]) }
        return ""
    }
}

/// A response produced by a local handler.
public struct LocalResponse: Sendable {
    public var status: Int
    public var contentType: StaticString
    public var body: [UInt8]
    public var headers: [(name: String, value: String)]

    public init(status: Int, contentType: StaticString = "text/plain; charset=utf-8", body: String,
                headers: [(name: String, value: String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = Array(body.utf8)
        self.headers = headers
    }

    public init(status: Int, contentType: StaticString, bytes: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = bytes
        self.headers = []
    }
}

/// A small HTTP/1.1 server on one event loop, for endpoints Portcullis serves itself.
///
/// Why not the proxy path: these answers come from a handler function, with whole small bodies;
/// it shares the parser, serialiser and event loop, so it is strict in the same ways.
public final class LocalHTTPServer: Sendable {
    public typealias Handler = @Sendable (LocalRequest) -> LocalResponse
    private let loop: EventLoop
    private let handler: Handler
    private let logger: Logger
    private let listenFD: Int32
    /// Largest request body a local handler accepts. Default: 1 MiB.
    public static let maxBody = 1 << 20

    /// Binds `address` and starts serving on a loop of its own.
    public init(address: SocketAddress, name: String, logger: Logger, handler: @escaping Handler) throws(AddressError) {
        let none = CompiledRuleSet(name: "local", sourcePath: "", defaultAction: .allow, body: BodyInspection(),
                                   loadedAt: .zero, loadDuration: .zero)
        self.loop = EventLoop(index: 1000, time: SystemTimeSource(), inspector: Inspector(ruleSet: none))
        self.handler = handler
        self.logger = logger
        self.listenFD = try Socket.listen(on: address)
        let acceptor = LocalAcceptor(loop: loop, fd: listenFD, handler: handler)
        loop.start()
        loop.sync { _ = loop.watcher.watch(listenFD, acceptor, edgeTriggered: false) }
    }

    /// Stops the loop on its own queue (so no request in progress there loses it) and closes the
    /// listening socket.
    deinit {
        let loop = self.loop
        let fd = listenFD
        loop.execute {
            loop.stop()
            Glibc.close(fd)
        }
    }

    /// The bound port (for port 0).
    public var port: UInt16 { Socket.localPort(listenFD) }
}

/// Accepts connections for a `LocalHTTPServer`.
private final class LocalAcceptor: EventHandler {
    unowned let loop: EventLoop
    let fd: Int32
    let handler: LocalHTTPServer.Handler

    init(loop: EventLoop, fd: Int32, handler: @escaping LocalHTTPServer.Handler) {
        self.loop = loop
        self.fd = fd
        self.handler = handler
    }

    func handleEvent(_ events: UInt32) {
        for _ in 0..<64 {
            guard case .accepted(let client, let peer) = Socket.accept(fd) else { return }
            let conn = LocalConnection(loop: loop, fd: client, peer: String(decoding: peer, as: UTF8.self), handler: handler)
            if !loop.watcher.watch(client, conn) { Glibc.close(client) }
        }
    }
}

/// One connection to a `LocalHTTPServer` (loop-confined).
private final class LocalConnection: EventHandler {
    unowned let loop: EventLoop
    let fd: Int32
    let peer: String
    let handler: LocalHTTPServer.Handler
    private var parser = RequestParser()
    private var out = OutputBuffer()
    private var head: RequestHead?
    private var body: [UInt8] = []
    private var closing = false
    private var closed = false

    init(loop: EventLoop, fd: Int32, peer: String, handler: @escaping LocalHTTPServer.Handler) {
        self.loop = loop
        self.fd = fd
        self.peer = peer
        self.handler = handler
    }

    func handleEvent(_ events: UInt32) {
        if events & EpollBits.output != 0 { flush() }
        guard events & EpollBits.readSide != 0 else { return }
        while !closed && !closing {
            switch Socket.read(fd, into: loop.readBuffer) {
            case .bytes(let n): consume(UnsafeRawBufferPointer(rebasing: loop.readBuffer[0..<n]))
            case .wouldBlock: flush(); return
            case .eof, .failed: close(); return
            }
        }
        flush()
    }

    private func consume(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while !closing {
            let (used, event) = parser.next(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            let start = offset
            offset += used
            switch event {
            case .needMore: return
            case .head(let h): head = h; body = []
            case .body(let r):
                if body.count + r.count > LocalHTTPServer.maxBody {
                    respond(LocalResponse(status: 413, body: "request body too large\n"), keepAlive: false)
                    return
                }
                body.append(contentsOf: bytes[(start + r.lowerBound)..<(start + r.upperBound)])
            case .end:
                guard let h = head else { return }
                head = nil
                let response = handler(LocalRequest(head: h, body: body, peer: peer))
                respond(response, keepAlive: h.keepAlive, headOnly: h.method == .head)
            case .reject(let error):
                respond(LocalResponse(status: error.status, body: "\(error.status) \(error.reason)\n"), keepAlive: false)
                return
            }
        }
    }

    private func respond(_ r: LocalResponse, keepAlive: Bool, headOnly: Bool = false) {
        let extra = r.headers.map { (name: Array($0.name.utf8), value: Array($0.value.utf8)) }
        out.withBytes {
            MessageSerializer.writeLocalResponse(status: r.status, body: headOnly ? [] : r.body,
                                                 contentType: r.contentType, keepAlive: keepAlive,
                                                 extraFields: extra, into: &$0)
        }
        if !keepAlive { closing = true }
    }

    private func flush() {
        guard !closed else { return }
        switch out.flush(to: fd) {
        case .drained: if closing { close() }
        case .pending: break
        case .failed: close()
        }
    }

    private func close() {
        guard !closed else { return }
        closed = true
        loop.watcher.unwatch(fd)
        Glibc.close(fd)
    }
}
