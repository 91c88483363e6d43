import Dispatch
import Logging
import Synchronization

/// Writes block-log events as JSON lines on a thread of its own, so a slow disk never blocks an
/// event loop.
///
/// Loops hand events to a bounded queue (`submit` takes a lock only for blocked or counted
/// requests, never for the others). When the queue is full the event is dropped and counted:
/// losing a log line under overload is better than stalling the firewall. `reopen()` (SIGUSR1)
/// makes the thread reopen the file before its next write, for log rotation.
public final class BlockLogWriter: Sendable {
    /// Events waiting at most; beyond it new events are dropped. Default: 4,096.
    public let capacity: Int
    public let format: BlockLogFormat
    private let sink: any BlockLogSink
    private let logger: Logger
    private let state: Mutex<State>
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)

    private enum Item {
        case event(BlockLogEvent)
        /// Signalled once everything queued before it went to the sink.
        case marker(DispatchSemaphore)
    }

    private struct State {
        var queue: [Item] = []
        var dropped = 0
        var written = 0
        var failed = 0
        var reopens = 0
        var reopenRequested = false
        var stopping = false
        var stoppedAlready = false
    }

    /// Counts so far: lines written, events dropped (queue full), lines lost to write errors,
    /// and reopens done.
    public struct Counts: Sendable, Equatable {
        public var written: Int
        public var dropped: Int
        public var failed: Int
        public var reopens: Int
    }

    public init(sink: any BlockLogSink, format: BlockLogFormat = BlockLogFormat(), capacity: Int = 4096,
                logger: Logger = Logger(label: "portcullis")) {
        self.sink = sink
        self.format = format
        self.capacity = max(1, capacity)
        self.logger = logger
        self.state = Mutex(State())
        DedicatedThread.start { [self] in run() }
    }

    /// Queues `event` for writing; false (and counted) when the queue is full.
    @discardableResult
    public func submit(_ event: BlockLogEvent) -> Bool {
        let (accepted, wasEmpty) = state.withLock { s -> (Bool, Bool) in
            if s.stopping || s.queue.count >= capacity { s.dropped += 1; return (false, false) }
            s.queue.append(.event(event))
            return (true, s.queue.count == 1)
        }
        // The thread drains everything it finds, so it only needs waking for the first event.
        if wasEmpty { wake.signal() }
        return accepted
    }

    /// Asks the writer thread to reopen the destination before its next write.
    public func reopen() {
        state.withLock { $0.reopenRequested = true }
        wake.signal()
    }

    public var counts: Counts {
        state.withLock { Counts(written: $0.written, dropped: $0.dropped, failed: $0.failed, reopens: $0.reopens) }
    }

    /// Writes what is queued, closes the sink and ends the thread; later events are dropped.
    public func stop() {
        let first = state.withLock { s -> Bool in
            defer { s.stopping = true }
            return !s.stopping
        }
        guard first else { return }
        wake.signal()
        stopped.wait()
    }

    /// Waits until everything queued so far has been handed to the sink (tests, shutdown).
    public func flush() {
        let done = DispatchSemaphore(value: 0)
        state.withLock { s in s.queue.append(.marker(done)) }
        wake.signal()
        done.wait()
    }

    private func run() {
        var reportedDrops = 0
        while true {
            wake.wait()
            while true {
                let (batch, reopen, stopping, dropped) = state.withLock { s in
                    let taken = s.queue
                    s.queue.removeAll(keepingCapacity: true)
                    let reopen = s.reopenRequested
                    s.reopenRequested = false
                    return (taken, reopen, s.stopping, s.dropped)
                }
                if reopen {
                    let ok = sink.reopen()
                    state.withLock { $0.reopens += ok ? 1 : 0 }
                    if !ok { logger.error("block log: reopen failed; still writing to the old file") }
                }
                if dropped > reportedDrops {
                    logger.warning("block log: \(dropped - reportedDrops) events dropped (the writer could not keep up)")
                    reportedDrops = dropped
                }
                if batch.isEmpty {
                    if stopping {
                        sink.close()
                        stopped.signal()
                        return
                    }
                    break
                }
                write(batch)
            }
        }
    }

    private func write(_ batch: [Item]) {
        var json = JSONWriter()
        json.reserve(batch.count * 1024)
        var lines = 0
        var markers: [DispatchSemaphore] = []
        for item in batch {
            switch item {
            case .event(let event):
                format.encode(event, into: &json)
                lines += 1
            case .marker(let done):
                markers.append(done)
            }
        }
        if lines > 0 {
            let ok = sink.write(json.bytes)
            state.withLock { s in if ok { s.written += lines } else { s.failed += lines } }
            if !ok { logger.error("block log: write failed; \(lines) lines lost") }
        }
        for marker in markers { marker.signal() }
    }
}
