import CShim
import Glibc
import PortcullisHTTP

/// Why an exchange with the upstream failed; decides 502 versus 504 and whether a retry is safe.
enum UpstreamFailure: Equatable {
    /// Refused or unreachable while connecting.
    case connectFailed(Int32)
    /// The connection closed (FIN) before a complete response.
    case closed
    /// The connection was reset or a socket call failed.
    case reset(Int32)
    /// The upstream sent something that is not a valid response.
    case badResponse(String)
    /// Connecting or waiting for bytes took longer than configured.
    case timedOut
}

/// What an upstream connection reports to the client connection it currently serves.
///
/// Loop-confined, like both connections.
protocol UpstreamDelegate: AnyObject {
    func upstreamConnected()
    func upstreamResponseHead(_ head: ResponseHead)
    /// Returns false when the client cannot take more now (the upstream pauses reading).
    func upstreamResponseBody(_ bytes: UnsafeRawBufferPointer) -> Bool
    func upstreamResponseEnd(reusable: Bool)
    func upstreamDrained()
    /// Everything the upstream sent for now was read, in the middle of a response whose body
    /// has begun.
    func upstreamResponseWaits()
    func upstreamFailed(_ failure: UpstreamFailure, responseBytesSeen: Bool)
}

/// One TCP connection to the upstream: its send buffer and its response parser.
///
/// Loop-confined. Owned by the loop's `UpstreamPool` while idle and by one client connection
/// while it carries that client's exchange.
final class UpstreamConnection: EventHandler, DeferredFlushing {
    /// `unowned(unsafe)`: the loop owns this object and outlives it (everything here runs on the loop's
    /// queue). The loop carries a weak-reference side table (its Dispatch handlers hold it weakly),
    /// which sends every checked `unowned` access through the runtime's slow retain/release path.
    unowned(unsafe) let loop: EventLoop
    let fd: Int32
    private(set) var connecting: Bool
    private(set) var closed = false
    var out = OutputBuffer()
    private var parser = ResponseParser()
    /// The client connection this exchange serves. Strong, not weak: every end of an exchange
    /// (response end, failure, `close`) sets it to nil before the client lets go of this
    /// connection, which breaks the cycle; a weak reference would give every client connection a
    /// side table and send all its retains and releases through the runtime's slow path.
    var delegate: UpstreamDelegate?
    /// True once it has carried an exchange (a failure before any byte may then be a stale
    /// keep-alive connection, which is worth one retry for idempotent requests).
    var reused = false
    private var responseBytesSeen = false
    private var readable = false
    /// See `ClientConnection.peerHungUp`.
    private var peerHungUp = false
    private var paused = false
    private var pendingInput: [UInt8] = []
    /// When it became idle in the pool.
    var idleSince: UInt64 = 0
    /// The loop holds a flush of `out` for the end of its batch of events.
    private var flushQueued = false
    /// Response body bytes went to the delegate since the read loop last told it to send them.
    private var bodyPassed = false

    init(loop: EventLoop, fd: Int32, connecting: Bool) {
        self.loop = loop
        self.fd = fd
        self.connecting = connecting
    }

    /// Prepares for a new exchange.
    func begin(method: HTTPMethod, delegate: UpstreamDelegate) {
        self.delegate = delegate
        parser.reset(requestMethod: method)
        responseBytesSeen = false
        paused = false
    }

    func handleEvent(_ events: UInt32) {
        if closed { return }
        let errorBits = EpollBits.error | EpollBits.hangUp
        if connecting {
            guard events & (EpollBits.output | errorBits) != 0 else { return }
            let err = Socket.pendingError(fd)
            if err != 0 {
                fail(.connectFailed(err))
                return
            }
            connecting = false
            delegate?.upstreamConnected()
            if closed { return }
        }
        if events & EpollBits.output != 0 && !out.isEmpty {
            flush()
            if closed { return }
        }
        if events & (EpollBits.input | EpollBits.readHangUp | errorBits) != 0 {
            if events & (EpollBits.readHangUp | errorBits) != 0 { peerHungUp = true }
            readable = true
            readLoop()
        }
    }

    /// Sends what is buffered; tells the delegate when everything went out.
    func flush() {
        guard !connecting, !closed else { return }
        switch out.flush(to: fd) {
        case .drained: delegate?.upstreamDrained()
        case .pending: break
        case .failed(let e):
            // The read side reports a close with any response bytes still to read; a write
            // failure before that is a reset.
            readable = true
            readLoop()
            if !closed { fail(.reset(e)) }
        }
    }

    /// Sends a small request at the end of the loop's batch of events (`DeferredFlushes`), a
    /// larger one (a body being streamed) now.
    func flushSoon() {
        if !loop.watcher.deferred.hold(self, count: out.count, queued: &flushQueued) { flush() }
    }

    func flushDeferred() {
        flushQueued = false
        guard !closed, !out.isEmpty else { return }
        flush()
    }

    /// Resumes reading after the client drained its backlog.
    func resume() {
        guard paused, !closed else { return }
        paused = false
        if !pendingInput.isEmpty {
            let saved = pendingInput
            pendingInput = []
            saved.withUnsafeBytes { process($0) }
        }
        if !paused && !closed { readLoop() }
    }

    private func readLoop() {
        while readable && !paused && !closed {
            switch Socket.read(fd, into: loop.readBuffer) {
            case .bytes(let n):
                if n < loop.readBuffer.count && !peerHungUp { readable = false }
                process(UnsafeRawBufferPointer(rebasing: loop.readBuffer[0..<n]))
            case .wouldBlock:
                readable = false
            case .eof:
                readable = false
                endOfInput()
            case .failed(let e):
                readable = false
                fail(.reset(e))
            }
        }
        // A response still under way, all of it read for now: its bytes so far go to the client.
        // A head alone waits for the first body bytes: many upstreams write a small response's
        // head and body apart, often read in two batches, and sending the head by itself cost
        // a second send per response (callgrind `get`, a Python upstream: +806 instructions).
        if bodyPassed {
            bodyPassed = false
            if !readable && !paused && !closed { delegate?.upstreamResponseWaits() }
        }
    }

    private func process(_ bytes: UnsafeRawBufferPointer) {
        guard let delegate else {
            // Bytes or a close on an idle pooled connection: it cannot be reused.
            close()
            return
        }
        responseBytesSeen = true
        var offset = 0
        while !closed {
            let (used, event) = parser.next(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            let eventStart = offset
            offset += used
            switch event {
            case .needMore:
                return
            case .head(let head):
                delegate.upstreamResponseHead(head)
            case .body(let range):
                bodyPassed = true
                let slice = UnsafeRawBufferPointer(rebasing: bytes[(eventStart + range.lowerBound)..<(eventStart + range.upperBound)])
                if !delegate.upstreamResponseBody(slice) {
                    paused = true
                    if offset < bytes.count { pendingInput.append(contentsOf: bytes[offset...]) }
                    return
                }
            case .end:
                // Bytes after a complete response mean the upstream and we disagree on framing.
                let clean = offset == bytes.count && pendingInput.isEmpty
                self.delegate = nil
                delegate.upstreamResponseEnd(reusable: clean)
                return
            case .reject(let error):
                fail(.badResponse(error.reason))
                return
            }
        }
    }

    private func endOfInput() {
        guard let delegate else { close(); return }
        switch parser.inputEnded() {
        case .end:
            self.delegate = nil
            delegate.upstreamResponseEnd(reusable: false)
            close()
        default:
            fail(.closed)
        }
    }

    private func fail(_ failure: UpstreamFailure) {
        let delegate = self.delegate
        let seen = responseBytesSeen
        self.delegate = nil
        close()
        delegate?.upstreamFailed(failure, responseBytesSeen: seen)
    }

    /// Closes the socket; with `reset`, sends RST so the upstream sees the exchange aborted.
    func close(reset: Bool = false) {
        guard !closed else { return }
        closed = true
        delegate = nil
        loop.watcher.unwatch(fd, closing: true)
        if reset { _ = cshim_set_linger_zero(fd) }
        Glibc.close(fd)
        loop.upstreamPool.closed(self)
    }
}
