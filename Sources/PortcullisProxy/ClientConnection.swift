import CShim
import Glibc
import PortcullisEngine
import PortcullisHTTP

/// One client connection: reads requests, forwards each allowed one to an upstream connection and
/// streams the response back, one exchange at a time (pipelined requests wait their turn).
///
/// Loop-confined: created, driven and closed on its loop's queue only.
final class ClientConnection: EventHandler, UpstreamDelegate, DeferredFlushing {
    /// `unowned(unsafe)`: the loop owns this object and outlives it (everything here runs on the loop's
    /// queue). The loop carries a weak-reference side table (its Dispatch handlers hold it weakly),
    /// which sends every checked `unowned` access through the runtime's slow retain/release path.
    unowned(unsafe) let loop: EventLoop
    let context: ProxyContext
    let fd: Int32
    /// The peer's numeric address, as sent in X-Forwarded-For.
    let peer: [UInt8]
    private var parser: RequestParser
    private var out = OutputBuffer()
    /// Bytes read but not parsed yet because the connection was paused.
    private var pendingInput: [UInt8] = []
    /// Edge-triggered: true until a read comes back short or with EAGAIN.
    private var readable = true
    /// The peer shut down its side or the socket failed: read on to the end of stream even
    /// after a short read, since no further edge will announce it.
    private var peerHungUp = false
    private var state = State.idle
    private var exchange: Exchange?
    private var deadline: UInt64 = 0
    private var deadlineKind = DeadlineKind.none
    private var closed = false
    /// Guards against re-entering the read loop from callbacks it triggers (an upstream that
    /// drains synchronously would otherwise recurse once per read).
    private var reading = false
    /// Set when the connection ends before its request was read completely: the close then
    /// lingers (see `State.lingering`). A complete request closes at once, as in nginx.
    private var lingerOnClose = false
    private var noDelaySet = false
    /// The loop holds a flush of `out` for the end of its batch of events.
    private var flushQueued = false
    /// The loop's request ids, counters and block log (held here: reaching it through the
    /// unowned loop would retain the loop at every call).
    private let observer: RequestObserver
    /// Request id, timings and block-log line of the current exchange; reset when it ends.
    @exclusivity(unchecked) private var observed = ObservedExchange()

    private enum State {
        /// Waiting for (or reading) a request head.
        case idle
        /// An exchange is in progress.
        case exchanging
        /// Sending the last bytes, then closing.
        case closing
        /// Everything sent and our side shut down; reading and discarding until the client closes
        /// (or a short deadline), so unread request bytes cannot turn our last response into a
        /// reset that the client never reads.
        case lingering
    }

    private enum DeadlineKind {
        case none, keepAlive, header, body, upstream, send, linger
    }

    /// The state of one request/response exchange.
    ///
    /// A class, not a struct: with the request kept for a retry and the held inspection inline,
    /// the optional struct was copied out and back at nearly every step of a request (a memcpy
    /// and a retain per reference field each time); a reference is allocated once. Callgrind, no
    /// rules, a new connection per request: 32.1k → 28.7k user-space instructions per request.
    private final class Exchange {
        var method: HTTPMethod
        var clientVersion: HTTPVersion
        /// Whether the client connection may stay open afterwards.
        var keepAlive: Bool
        var requestFraming: BodyFraming
        var requestComplete = false
        /// The final response head went to the client.
        var responseStarted = false
        var outputFraming = BodyFraming.none
        var upstream: UpstreamConnection?
        /// The request, kept only while a retry on a fresh connection is allowed.
        var retryHead: RequestHead?
        var retried = false
        var sentContinue = false
        /// Set while the body is held back for body-phase rules (nothing is forwarded yet).
        var pending: PendingInspection?
        /// Set for a request carrying the debug header and secret: answered with its trace.
        var debugTrace: DebugTraceFormat?

        init(method: HTTPMethod, clientVersion: HTTPVersion, keepAlive: Bool, requestFraming: BodyFraming) {
            self.method = method
            self.clientVersion = clientVersion
            self.keepAlive = keepAlive
            self.requestFraming = requestFraming
        }
    }

    /// The request side of inspection for one exchange: the header phase's findings and the body
    /// held back, up to the rule set's inspect limit, until the body phase has decided.
    ///
    /// Kept in `Exchange.pending` and changed there in place (never copied out and back): a copy
    /// shares the body buffer and the evaluation state's tables, so the next append or the body
    /// phase's first write would copy them again.
    private struct PendingInspection {
        let head: RequestHead
        let inspector: Inspector
        var state: EvaluationState
        /// The body held for inspection: one buffer, reserved once for a Content-Length body.
        var buffer: [UInt8] = []
        /// The rule set's inspect limit (read per body read, so kept out of the rule set here).
        let inspectLimit: Int

        init(head: RequestHead, inspector: Inspector, state: EvaluationState) {
            self.head = head
            self.inspector = inspector
            self.state = state
            inspectLimit = inspector.ruleSet.body.inspectLimit
            if case .contentLength(let length) = head.framing {
                // At most the limit plus one byte: a longer body is cut at the limit anyway.
                buffer.reserveCapacity(Int(min(length, UInt64(inspectLimit))))
            }
        }
    }

    /// Whether this connection counts against `maxConnections` (refused ones do not).
    private let counted: Bool

    init(loop: EventLoop, context: ProxyContext, fd: Int32, peer: [UInt8], counted: Bool) {
        self.loop = loop
        self.context = context
        self.fd = fd
        self.peer = peer
        self.counted = counted
        self.observer = loop.observer
        self.parser = RequestParser(limits: context.config.limits)
        setDeadline(.keepAlive, after: context.keepAliveTimeout)
    }

    // MARK: readiness

    func handleEvent(_ events: UInt32) {
        if closed { return }
        if events & EpollBits.output != 0 && !out.isEmpty {
            flushClient()
            if closed { return }
        }
        let inBits = EpollBits.input | EpollBits.readHangUp
            | EpollBits.error | EpollBits.hangUp
        if events & inBits != 0 {
            if events & (EpollBits.readHangUp | EpollBits.hangUp | EpollBits.error) != 0 { peerHungUp = true }
            readable = true
            readLoop()
        }
    }

    /// True while request bytes can be consumed now.
    private var canConsume: Bool {
        switch state {
        // Answers made here (blocks, 4xx) for pipelined requests are bounded like responses.
        case .idle: return out.count <= context.highWater
        case .closing, .lingering: return false
        case .exchanging:
            guard let ex = exchange, !ex.requestComplete else { return false }
            if let up = ex.upstream, up.out.count > context.highWater { return false }
            return true
        }
    }

    private func readLoop() {
        if reading { return }
        reading = true
        defer { reading = false }
        while readable && !closed {
            if state == .lingering { discardInput(); return }
            guard canConsume else {
                // Paused. A peer that hangs up while its exchange waits has gone away.
                if state == .exchanging { detectAbort() }
                return
            }
            if !pendingInput.isEmpty {
                // Bytes held back at the last pause come before anything still in the socket:
                // the upstream may have drained below the high-water mark without a resume.
                consumePendingInput()
                continue
            }
            switch Socket.read(fd, into: loop.readBuffer) {
            case .bytes(let n):
                // A short read drained the socket: the next bytes bring a new edge, so skip the
                // recv that would only return EAGAIN (one syscall per request saved, as nginx does).
                if n < loop.readBuffer.count && !peerHungUp { readable = false }
                if deadlineKind == .body { setDeadline(.body, after: context.clientBodyTimeout) }
                observer.stats.bytesIn &+= n
                consume(UnsafeRawBufferPointer(rebasing: loop.readBuffer[0..<n]))
                exchange?.upstream?.flushSoon()
            case .wouldBlock:
                readable = false
            case .eof:
                readable = false
                clientWentAway()
            case .failed:
                readable = false
                clientWentAway()
            }
        }
    }

    /// Reads and drops whatever the client still sends, closing at its end of stream.
    private func discardInput() {
        while true {
            switch Socket.read(fd, into: loop.readBuffer) {
            case .bytes: continue
            case .wouldBlock: readable = false; return
            case .eof, .failed: close(); return
            }
        }
    }

    /// While paused, peeks whether the client closed (a FIN or RST) so the upstream request can be
    /// aborted instead of finished for nobody.
    private func detectAbort() {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
        if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            clientWentAway()
        } else {
            // Data waiting (a pipelined request) or nothing yet: stop polling until resumed.
            readable = n > 0
        }
    }

    // MARK: requests

    /// Feeds request bytes to the parser and acts on what it finds; bytes that arrive while the
    /// connection cannot take them are kept for later.
    private func consume(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while !closed {
            guard canConsume else {
                if offset < bytes.count { pendingInput.append(contentsOf: bytes[offset...]) }
                return
            }
            if state == .idle && deadlineKind == .keepAlive && offset < bytes.count {
                setDeadline(.header, after: context.clientHeaderTimeout)
            }
            let (used, event) = parser.next(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            let eventStart = offset
            offset += used
            switch event {
            case .needMore:
                return
            case .head(let head):
                begin(head)
            case .body(let range):
                let slice = UnsafeRawBufferPointer(rebasing: bytes[(eventStart + range.lowerBound)..<(eventStart + range.upperBound)])
                forwardBody(slice)
            case .end:
                requestComplete()
            case .reject(let error):
                reject(error)
                return
            }
        }
    }

    /// Feeds the bytes held at the last pause to the parser (they may be held again, in part).
    ///
    /// Counts as reading: an answer given while they are consumed resumes input, and a read loop
    /// started from there would read and answer requests sent after the ones still held here.
    private func consumePendingInput() {
        let saved = pendingInput
        pendingInput = []
        let wasReading = reading
        reading = true
        saved.withUnsafeBytes { consume($0) }
        reading = wasReading
        flushUpstream()
    }

    private func resumeInput() {
        if !pendingInput.isEmpty { consumePendingInput() }
        if !closed && readable { readLoop() }
        if !closed && state == .idle && pendingInput.isEmpty && parser.isIdle {
            parser.releaseIdleMemory()
            out.releaseMemory()
        }
    }

    private func begin(_ head: RequestHead) {
        guard let config = context.config.debugTrace else {
            // The common case inspects the parser's head as it is: no copy to take the field from.
            begin(head, debugTrace: nil)
            return
        }
        var head = head
        let debugTrace = DebugTrace.take(from: &head, config)
        begin(head, debugTrace: debugTrace)
    }

    private func begin(_ head: RequestHead, debugTrace: DebugTraceFormat?) {
        exchange = Exchange(method: head.method, clientVersion: head.version,
                            keepAlive: head.keepAlive && !loop.draining, requestFraming: head.framing)
        // A bodiless request is complete with its head, so an answer given now (a block, a 502)
        // can keep the connection open.
        exchange?.requestComplete = head.framing == .none
        observed = observer.start()
        state = .exchanging
        if head.method == .connect {
            exchange?.keepAlive = false
            respondLocally(status: 501, message: "CONNECT is not supported by a reverse proxy")
            return
        }
        let inspector = loop.inspector
        var evaluation = EvaluationState()
        if let debugTrace {
            // The whole request (body up to the inspect limit) is traced, then answered here.
            exchange?.debugTrace = debugTrace
            exchange?.pending = PendingInspection(head: head, inspector: inspector, state: consume evaluation)
            if head.framing == .none { finishInspection(truncated: false, rest: UnsafeRawBufferPointer(start: nil, count: 0)) }
            else { sendContinueIfExpected(head); setDeadline(.body, after: context.clientBodyTimeout) }
            return
        }
        // The head's parse time (read once by the observer) is the request's time for rate limits.
        let view = RequestView(head: head, clientAddress: peer, receivedAt: observed.startedAt)
        if let verdict = inspector.evaluate(.requestHeaders, request: view, state: &evaluation, scratch: &loop.scratch) {
            decided(verdict, &evaluation, head, inspector)
            apply(verdict, head: head)
            return
        }
        if inspector.ruleSet.inspectsBody && head.framing != .none {
            exchange?.pending = PendingInspection(head: head, inspector: inspector, state: consume evaluation)
            observer.inspectionEnded(&observed)
            sendContinueIfExpected(head)
            setDeadline(.body, after: context.clientBodyTimeout)
            return
        }
        // No body to wait for: the body phase (on an empty body) and the default action decide now.
        let verdict = inspector.evaluate(.requestBody, request: view, state: &evaluation, scratch: &loop.scratch)
            ?? inspector.defaultVerdict
        decided(verdict, &evaluation, head, inspector)
        apply(verdict, head: head)
    }

    /// Inspection has decided: limit hits, counters, inspection time and the block log take note;
    /// the evaluation's per-request cache goes back to the loop for the next request.
    private func decided(_ verdict: Verdict, _ evaluation: inout EvaluationState, _ head: RequestHead,
                         _ inspector: Inspector) {
        loop.noteLimitHits(evaluation, peer: peer)
        observer.decided(verdict, state: evaluation, head: head, client: peer, ruleSet: inspector.ruleSet,
                         into: &observed)
        inspector.finish(&evaluation, scratch: &loop.scratch)
    }

    private func apply(_ verdict: Verdict, head: RequestHead) {
        switch verdict {
        case .allow: startForwarding(head)
        case .block(let response, let rule): respondBlocked(response, rule: rule)
        }
    }

    private func sendContinueIfExpected(_ head: RequestHead) {
        guard head.expectsContinue, head.version == .http11, head.framing != .none,
              exchange?.sentContinue == false else { return }
        out.withBytes { MessageSerializer.writeContinue(into: &$0) }
        exchange?.sentContinue = true
        // The client waits for it before sending the body: nothing else would send it.
        flushClientSoon()
    }

    /// The request is allowed: sends its head upstream (body bytes follow as they arrive).
    private func startForwarding(_ head: RequestHead) {
        sendContinueIfExpected(head)
        guard let upstream = connectUpstream(method: head.method) else { return }
        if upstream.reused && head.method.isIdempotent && head.framing == .none {
            exchange?.retryHead = head
        }
        writeHead(head, to: upstream)
        setDeadline(head.framing == .none ? .upstream : .body,
                    after: head.framing == .none ? upstreamWait(upstream) : context.clientBodyTimeout)
    }

    /// Serialises the request head straight into the upstream's send buffer.
    private func writeHead(_ head: RequestHead, to upstream: UpstreamConnection) {
        upstream.out.withBytes {
            MessageSerializer.writeRequestHead(head, framing: head.framing, clientAddress: peer[...],
                                               scheme: "http", defaultHost: context.defaultHost,
                                               options: context.config.forwarding,
                                               requestID: observer.idBytes(observed.id), into: &$0)
        }
    }

    /// Holds body bytes for the body phase; past the inspect limit, the oversize policy decides.
    private func holdBody(_ bytes: UnsafeRawBufferPointer) {
        guard let ex = exchange, let held = ex.pending?.buffer.count, let limit = ex.pending?.inspectLimit else { return }
        let room = limit - held
        if bytes.count <= room {
            ex.pending!.buffer.append(contentsOf: bytes)
            return
        }
        ex.pending!.buffer.append(contentsOf: bytes[0..<room])
        finishInspection(truncated: true, rest: UnsafeRawBufferPointer(rebasing: bytes[room...]))
    }

    /// Runs the body phase on the held body and forwards the request if it is allowed.
    private func finishInspection(truncated: Bool, rest: UnsafeRawBufferPointer) {
        guard var pending = exchange?.pending.take() else { return }
        let inspector = pending.inspector
        if let format = exchange?.debugTrace {
            let view = RequestView(head: pending.head, clientAddress: peer, body: pending.buffer, bodyTruncated: truncated,
                                   receivedAt: loop.time.nowNanoseconds())
            let trace = DebugTrace.render(inspector, view, format: format, scratch: &loop.scratch)
            respond(status: 200, body: trace, extraFields: [],
                    contentType: format == .json ? "application/json" : "text/plain; charset=utf-8")
            return
        }
        let verdict: Verdict
        switch (truncated, inspector.ruleSet.body.oversize) {
        case (true, .match):
            verdict = .block(BlockResponse(status: 403, body: Array("403 Forbidden: the request body is larger than the inspection limit\n".utf8)), rule: nil)
        case (true, .noMatch):
            verdict = inspector.defaultVerdict
        default:
            let now = observer.inspectionResumed(&observed)
            let view = RequestView(head: pending.head, clientAddress: peer, body: pending.buffer, bodyTruncated: truncated,
                                   receivedAt: now)
            verdict = inspector.evaluate(.requestBody, request: view, state: &pending.state, scratch: &loop.scratch)
                ?? inspector.defaultVerdict
        }
        decided(verdict, &pending.state, pending.head, inspector)
        guard verdict == .allow else {
            apply(verdict, head: pending.head)
            return
        }
        startForwarding(pending.head)
        guard exchange?.upstream != nil else { return }
        pending.buffer.withUnsafeBytes { if !$0.isEmpty { forwardBody($0) } }
        if !rest.isEmpty { forwardBody(rest) }
        if exchange?.requestComplete == true { sendRequestEnd() }
    }

    /// Takes a pooled or new upstream connection for the current exchange; answers 502 itself
    /// when none can be had.
    private func connectUpstream(method: HTTPMethod) -> UpstreamConnection? {
        switch loop.upstreamPool.acquire(context) {
        case .connection(let upstream):
            upstream.begin(method: method, delegate: self)
            exchange?.upstream = upstream
            return upstream
        case .failed:
            upstreamFailed(.connectFailed(errno), responseBytesSeen: false)
            return nil
        }
    }

    private func upstreamWait(_ upstream: UpstreamConnection) -> UInt64 {
        upstream.connecting ? context.upstreamConnectTimeout : context.upstreamTimeout
    }

    private func forwardBody(_ bytes: UnsafeRawBufferPointer) {
        if exchange?.pending != nil { holdBody(bytes); return }
        guard let ex = exchange, let upstream = ex.upstream else { return }
        if ex.requestFraming == .chunked {
            upstream.out.withBytes { ChunkedEncoder.writeChunkHeader(size: bytes.count, into: &$0) }
            upstream.out.append(bytes)
            upstream.out.withBytes { ChunkedEncoder.writeChunkEnd(into: &$0) }
        } else {
            upstream.out.append(bytes)
        }
    }

    private func requestComplete() {
        guard exchange != nil else { return }
        exchange!.requestComplete = true
        if exchange!.pending != nil {
            finishInspection(truncated: false, rest: UnsafeRawBufferPointer(start: nil, count: 0))
        } else {
            sendRequestEnd()
        }
    }

    /// The whole request went upstream: ends a chunked body and waits for the response.
    private func sendRequestEnd() {
        if let upstream = exchange?.upstream {
            if exchange!.requestFraming == .chunked {
                upstream.out.withBytes { ChunkedEncoder.writeLastChunk(into: &$0) }
            }
            if !exchange!.responseStarted { setDeadline(.upstream, after: upstreamWait(upstream)) }
        }
    }

    /// The parser refused the request: answer with its status and close.
    private func reject(_ error: HTTPParseError) {
        if let ex = exchange {
            // Mid-body: what was forwarded is cut off so the upstream never completes it.
            ex.upstream?.close(reset: true)
            ex.upstream = nil
            ex.keepAlive = false
            if ex.responseStarted { abortClient(); return }
        } else {
            exchange = Exchange(method: .other, clientVersion: .http11, keepAlive: false, requestFraming: .none)
        }
        state = .exchanging
        respondLocally(status: error.status, message: error.reason)
    }

    // MARK: upstream events

    func upstreamConnected() {
        if let up = exchange?.upstream, deadlineKind == .upstream {
            setDeadline(.upstream, after: upstreamWait(up))
        }
    }

    func upstreamDrained() {
        guard state == .exchanging, let ex = exchange, !ex.requestComplete else { return }
        resumeInput()
    }

    func upstreamResponseHead(_ head: ResponseHead) {
        guard let ex = exchange else { return }
        if deadlineKind == .upstream { setDeadline(.upstream, after: context.upstreamTimeout) }
        if head.isInterim {
            // Our own 100 Continue already went out; other interim answers pass to 1.1 clients.
            if ex.clientVersion == .http11 && !(head.status == 100) {
                out.withBytes {
                    MessageSerializer.writeResponseHead(head, framing: .untilClose, keepAlive: true,
                                                        clientVersion: .http11, into: &$0)
                }
            }
            return
        }
        switch head.framing {
        case .none: ex.outputFraming = .none
        case .contentLength(let n): ex.outputFraming = .contentLength(n)
        case .chunked, .untilClose: ex.outputFraming = ex.clientVersion == .http11 ? .chunked : .untilClose
        }
        if ex.outputFraming == .untilClose || !ex.requestComplete { ex.keepAlive = false }
        if loop.draining { ex.keepAlive = false }
        ex.responseStarted = true
        observer.responded(status: head.status, &observed)
        out.withBytes {
            MessageSerializer.writeResponseHead(head, framing: ex.outputFraming, keepAlive: ex.keepAlive,
                                                clientVersion: ex.clientVersion, requestID: observer.idBytes(observed.id),
                                                into: &$0)
        }
    }

    func upstreamResponseBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let ex = exchange else { return false }
        if deadlineKind == .upstream { setDeadline(.upstream, after: context.upstreamTimeout) }
        if ex.outputFraming == .chunked {
            out.withBytes { ChunkedEncoder.writeChunkHeader(size: bytes.count, into: &$0) }
            out.append(bytes)
            out.withBytes { ChunkedEncoder.writeChunkEnd(into: &$0) }
        } else {
            out.append(bytes)
        }
        if out.count > context.highWater {
            flushClient()
            return !closed && out.count <= context.highWater
        }
        return true
    }

    /// A response that arrives in parts reaches the client as it comes: what `out` holds goes
    /// out at the batch's end (at once when large), not only when the response ends or `out`
    /// passes the high-water mark.
    func upstreamResponseWaits() {
        if !out.isEmpty { flushClientSoon() }
    }

    func upstreamResponseEnd(reusable: Bool) {
        guard let ex = exchange else { return }
        if ex.outputFraming == .chunked { out.withBytes { ChunkedEncoder.writeLastChunk(into: &$0) } }
        if let upstream = ex.upstream {
            if reusable && ex.requestComplete {
                loop.upstreamPool.release(upstream, limit: context.config.upstreamIdlePerLoop)
            } else {
                upstream.close()
            }
        }
        ex.upstream = nil
        exchange = nil
        observer.finished(observed)
        observed = ObservedExchange()
        if !ex.requestComplete { lingerOnClose = true }
        finishExchange(keepAlive: ex.keepAlive && ex.requestComplete)
    }

    func upstreamFailed(_ failure: UpstreamFailure, responseBytesSeen: Bool) {
        guard let ex = exchange else { return }
        ex.upstream = nil
        if ex.responseStarted {
            observer.upstreamFailed(failure)
            // Never fake a complete response: cut the connection so the client sees truncation.
            abortClient()
            return
        }
        if let head = ex.retryHead, !ex.retried, !responseBytesSeen, failure != .timedOut {
            // A pooled connection the upstream had already closed: the request never reached it.
            exchange?.retried = true
            exchange?.retryHead = nil
            guard let upstream = connectUpstream(method: ex.method) else { return }
            writeHead(head, to: upstream)
            setDeadline(.upstream, after: upstreamWait(upstream))
            upstream.flush()
            return
        }
        observer.upstreamFailed(failure)
        if !ex.requestComplete { exchange?.keepAlive = false }
        switch failure {
        case .timedOut:
            respondLocally(status: 504, message: "the upstream did not answer in time")
        case .connectFailed(let e):
            respondLocally(status: 502, message: "cannot connect to the upstream: \(String(cString: strerror(e)))")
        case .closed:
            respondLocally(status: 502, message: "the upstream closed the connection before a complete response")
        case .reset:
            respondLocally(status: 502, message: "the upstream reset the connection")
        case .badResponse(let why):
            respondLocally(status: 502, message: "the upstream sent an invalid response: \(why)")
        }
    }

    // MARK: answers and endings

    /// Sends a response generated here and ends the current exchange.
    private func respondLocally(status: Int, message: String,
                                extraFields: [(name: [UInt8], value: [UInt8])] = []) {
        respond(status: status, body: Array("\(status) \(message)\n".utf8), extraFields: extraFields)
    }

    /// Answers a request a rule blocked: the loop's `BlockAnswerCache` holds the answer, formatted
    /// once for a run of blocks by the same rule.
    private func respondBlocked(_ response: BlockResponse, rule: RuleID?) {
        guard let ex = exchange else { return }
        loop.blockAnswers.prepare(response, rule: rule, head: ex.method == .head)
        answer(status: response.status) { out, keepAlive, requestID in
            self.loop.blockAnswers.write(requestID: requestID, keepAlive: keepAlive, into: &out)
        }
    }

    private func respond(status: Int, body: [UInt8], extraFields: [(name: [UInt8], value: [UInt8])],
                         contentType: StaticString = "text/plain; charset=utf-8") {
        let head = exchange?.method == .head
        answer(status: status) { out, keepAlive, requestID in
            MessageSerializer.writeLocalResponse(status: status, body: head ? [] : body,
                                                 contentType: contentType, keepAlive: keepAlive, into: &out) { out in
                for field in extraFields { MessageSerializer.writeField(name: field.name, value: field.value, into: &out) }
                MessageSerializer.writeField(name: RequestObserver.headerName, value: requestID, into: &out)
            }
        }
    }

    /// Sends a response made here (`write` appends it, given whether the connection stays open
    /// and the request id) and ends the current exchange.
    private func answer(status: Int, _ write: (inout [UInt8], _ keepAlive: Bool, _ requestID: [UInt8]) -> Void) {
        guard let ex = exchange else { return }
        let keepAlive = ex.keepAlive && ex.requestComplete
        if !ex.requestComplete { lingerOnClose = true }
        if observed.id == 0 { observed.id = observer.nextID() }
        observer.responded(status: status, &observed)
        observer.finished(observed)
        let requestID = observer.idBytes(observed.id)
        observed = ObservedExchange()
        out.withBytes { write(&$0, keepAlive, requestID) }
        ex.upstream?.close(reset: true)
        exchange = nil
        finishExchange(keepAlive: keepAlive)
    }

    private func finishExchange(keepAlive: Bool) {
        if keepAlive && !loop.draining {
            if !noDelaySet {
                // From the second response on, small writes must not wait for the client's ACK.
                Socket.setNoDelay(fd)
                noDelaySet = true
            }
            state = .idle
            setDeadline(.keepAlive, after: context.keepAliveTimeout)
            flushClientSoon()
            if closed { return }
            resumeInput()
        } else {
            state = .closing
            flushClient()
        }
    }

    private func flushUpstream() {
        exchange?.upstream?.flush()
    }

    /// Sends a small response at the end of the loop's batch of events (`DeferredFlushes`), a
    /// larger one now.
    private func flushClientSoon() {
        if !loop.watcher.deferred.hold(self, count: out.count, queued: &flushQueued) { flushClient() }
    }

    func flushDeferred() {
        flushQueued = false
        guard !closed, !out.isEmpty else { return }
        flushClient()
        // What `resumeInput` could not free while the response waited: an idle connection
        // holds no send buffer.
        if !closed && state == .idle && pendingInput.isEmpty && parser.isIdle && out.isEmpty {
            out.releaseMemory()
        }
    }

    private func flushClient() {
        guard !closed else { return }
        let queued = out.count
        let result = out.flush(to: fd)
        observer.stats.bytesOut &+= queued - out.count
        switch result {
        case .drained:
            if state == .closing {
                if lingerOnClose || !pendingInput.isEmpty { startLingering() } else { close() }
                return
            }
            if deadlineKind == .send { restoreDeadlineAfterSend() }
            exchange?.upstream?.resume()
            // Requests left unread while answers waited above the high-water mark (`canConsume`).
            if state == .idle && !reading && (readable || !pendingInput.isEmpty) { resumeInput() }
        case .pending(let progressed):
            if deadlineKind != .send || progressed { setDeadline(.send, after: context.clientSendTimeout) }
        case .failed:
            clientWentAway()
        }
    }

    private func restoreDeadlineAfterSend() {
        switch state {
        case .idle: setDeadline(.keepAlive, after: context.keepAliveTimeout)
        case .exchanging: setDeadline(.upstream, after: context.upstreamTimeout)
        case .closing, .lingering: break
        }
    }

    /// Half-closes after the last response; see `State.lingering`.
    private func startLingering() {
        state = .lingering
        if shutdown(fd, Int32(SHUT_WR)) != 0 { close(); return }
        setDeadline(.linger, after: ProxyContext.lingerTimeout)
        readable = true
        discardInput()
    }

    /// The client closed or failed: abort its exchange (the upstream sees the request cut off).
    private func clientWentAway() {
        if exchange?.responseStarted == true { abortClient(); return }
        if let up = exchange?.upstream { up.close(reset: true) }
        exchange = nil
        // Before a response starts, `out` holds only whole answers, perhaps waiting for the batch's
        // end (`DeferredFlushes`) or for the client to read: a client that only half-closed can
        // still read them, so the connection closes once they are sent (or at the send deadline).
        // In `closing` a failed send lands here again and closes.
        guard !out.isEmpty, state != .closing else { close(); return }
        state = .closing
        flushClient()
    }

    /// Cuts the connection with RST after a partial response, so no client takes it as complete.
    private func abortClient() {
        _ = out.flush(to: fd)
        if let up = exchange?.upstream { up.close(reset: true) }
        exchange = nil
        _ = cshim_set_linger_zero(fd)
        close()
    }

    func close() {
        guard !closed else { return }
        closed = true
        if counted { context.openClients.wrappingSubtract(1, ordering: .relaxed) }
        if let up = exchange?.upstream { up.close(reset: true) }
        exchange = nil
        loop.watcher.unwatch(fd, closing: true)
        Glibc.close(fd)
        loop.clientClosed()
    }

    /// True while a response waits for a client that does not read (the send deadline runs).
    var isWaitingToSend: Bool { !closed && deadlineKind == .send }

    /// Answers 503 without reading a request: the proxy is at `maxConnections`.
    func refuseOverCapacity() {
        exchange = Exchange(method: .other, clientVersion: .http11, keepAlive: false, requestFraming: .none)
        state = .exchanging
        respondLocally(status: 503, message: "too many connections; retry shortly",
                       extraFields: [(name: Array("Retry-After".utf8), value: Array("1".utf8))])
    }

    /// Closes at once when no request is under way (used when shutdown begins); otherwise the
    /// connection closes after its current response.
    func closeIfIdle() {
        guard state == .idle && parser.isIdle && pendingInput.isEmpty else {
            exchange?.keepAlive = false
            return
        }
        // The last response may still be going out (the client reads slowly): it closes once sent.
        if out.isEmpty { close() } else { state = .closing }
    }

    // MARK: deadlines

    private func setDeadline(_ kind: DeadlineKind, after nanoseconds: UInt64) {
        deadlineKind = kind
        deadline = loop.now &+ nanoseconds
    }

    func checkDeadline(now: UInt64) {
        guard !closed, deadlineKind != .none, now >= deadline else { return }
        switch deadlineKind {
        case .none:
            return
        case .keepAlive, .linger:
            deadlineKind = .none
            close()
        case .send:
            deadlineKind = .none
            abortClient()
        case .header:
            deadlineKind = .none
            exchange = Exchange(method: .other, clientVersion: .http11, keepAlive: false, requestFraming: .none)
            state = .exchanging
            respondLocally(status: 408, message: "the request head did not arrive in time")
        case .body:
            deadlineKind = .none
            if exchange?.responseStarted == true { abortClient(); return }
            exchange?.keepAlive = false
            if exchange == nil { exchange = Exchange(method: .other, clientVersion: .http11, keepAlive: false, requestFraming: .none) }
            respondLocally(status: 408, message: "the request body did not arrive in time")
        case .upstream:
            deadlineKind = .none
            if let up = exchange?.upstream {
                up.close(reset: true)
                exchange?.upstream = nil
            }
            upstreamFailed(.timedOut, responseBytesSeen: false)
        }
    }
}
