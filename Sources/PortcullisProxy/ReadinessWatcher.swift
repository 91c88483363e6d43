import CShim
import Dispatch
import Glibc

/// Something that owns a file descriptor watched by an event loop.
///
/// Loop-confined: `handleEvent` runs on the owning loop's queue only.
protocol EventHandler: AnyObject {
    /// `events` are epoll bits (`CSHIM_EPOLLIN` …).
    func handleEvent(_ events: UInt32)
}

/// How an event loop learns that sockets are ready: one edge-triggered epoll set per loop, itself
/// watched by a single `DispatchSourceRead` on the loop's queue.
///
/// Why not one Dispatch source per socket: measured here, libdispatch adds an `ioctl(FIONREAD)` and
/// one or two `epoll_ctl` per read event (≈10.6 syscalls per proxied request against ≈4.4 this way).
/// This type is the only place that knows; swapping the mechanism means changing this file.
final class ReadinessWatcher {
    private let epfd: Int32
    private var source: DispatchSourceRead?
    /// Handlers indexed by fd; the generation in the token guards against fd reuse between the
    /// moment a batch of events is fetched and the moment each one is handled.
    private var slots: [Slot] = []
    private var generation: UInt32 = 0
    private var events: UnsafeMutablePointer<cshim_event>
    private static let batch = 256
    /// Writes held back in a batch go out at least after this many events (a power of two), so
    /// a long batch delays a response by a few requests' work at most.
    private static let flushEvery = 16
    /// Announced work from other threads; see `drain`.
    private let wakeup: LoopWakeup
    /// How long one Dispatch callout may keep the queue (see `drain`).
    private let budgetNanoseconds: UInt64
    private(set) var watchedCount = 0
    /// Small writes made while a batch of events is handled, sent when the batch ends.
    var deferred = DeferredFlushes()

    private struct Slot {
        var generation: UInt32 = 0
        var handler: EventHandler?
    }

    /// `budgetMilliseconds`: the longest one Dispatch callout keeps the loop's queue (timers and
    /// unannounced work wait at most this long).
    init(queue: DispatchQueue, wakeup: LoopWakeup, budgetMilliseconds: Int) {
        epfd = cshim_epoll_create()
        precondition(epfd >= 0, "epoll_create1 failed: errno \(errno)")
        events = .allocate(capacity: Self.batch)
        self.wakeup = wakeup
        budgetNanoseconds = UInt64(max(budgetMilliseconds, 1)) * 1_000_000
        let source = DispatchSource.makeReadSource(fileDescriptor: epfd, queue: queue)
        // Strong, not weak: a weak capture gives the watcher a side table, and then every retain
        // of it (each `watch` and `unwatch`) takes the runtime's slow path. The cycle through the
        // source is broken by `cancel`, after which Dispatch releases the handler.
        source.setEventHandler { self.drain() }
        self.source = source
        watch(wakeup.fd, LoopWakeupReader(fd: wakeup.fd), edgeTriggered: false)
    }

    func activate() { source?.activate() }

    /// Stops watching; the epoll fd is closed by the cancel handler (never before).
    func cancel() {
        guard let source else { return }
        let fd = epfd
        let buffer = events
        source.setCancelHandler {
            close(fd)
            buffer.deallocate()
        }
        source.activate()  // no effect when active; an inactive source can neither cancel nor be released
        source.cancel()
        self.source = nil
    }

    /// Starts watching `fd` edge-triggered for input, output and peer hang-up.
    @discardableResult
    func watch(_ fd: Int32, _ handler: EventHandler, edgeTriggered: Bool = true, exclusive: Bool = false) -> Bool {
        let index = Int(fd)
        if index >= slots.count {
            slots.append(contentsOf: repeatElement(Slot(), count: max(index + 1 - slots.count, slots.count)))
        }
        generation &+= 1
        if generation == 0 { generation = 1 }
        slots[index] = Slot(generation: generation, handler: handler)
        // EPOLLEXCLUSIVE (for listening sockets shared by loops) cannot be combined with RDHUP.
        var bits = exclusive ? EpollBits.input | EpollBits.exclusive : EpollBits.input | EpollBits.readHangUp
        if edgeTriggered { bits |= EpollBits.output | EpollBits.edgeTriggered }
        let token = UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd))
        if cshim_epoll_add(epfd, fd, bits, token) != 0 {
            slots[index] = Slot()
            return false
        }
        watchedCount += 1
        return true
    }

    /// Stops watching `fd`; call before closing it. With `closing`, the descriptor is about to
    /// be closed, which removes it from the epoll set by itself (it is never duplicated), so the
    /// `epoll_ctl` call is skipped — one syscall less per connection.
    func unwatch(_ fd: Int32, closing: Bool = false) {
        let index = Int(fd)
        guard index < slots.count, slots[index].handler != nil else { return }
        if !closing { _ = cshim_epoll_del(epfd, fd) }
        slots[index] = Slot()
        watchedCount -= 1
    }

    /// Every watched handler, for deadline sweeps and shutdown. Walks a snapshot of the table:
    /// `body` may unwatch (close) handlers, and those it closes are still visited.
    func forEachHandler(_ body: (EventHandler) -> Void) {
        let snapshot = slots
        for slot in snapshot { if let h = slot.handler { body(h) } }
    }

    /// Ends a batch: sends the writes it held back, in the order they were made.
    private func flushDeferred() {
        deferred.endBatch()
        var i = 0
        while i < deferred.count {
            let target = deferred[i]
            i += 1
            target.flushDeferred()
        }
        if i > 0 { deferred.clear() }
    }

    /// Handles ready sockets, then keeps this thread on the loop: it waits in the loop's own
    /// epoll set for the next events, as nginx waits in its event loop, instead of returning to
    /// libdispatch after every batch. A return costs a handover (libdispatch's manager thread
    /// wakes a worker for the next event: context switches and several syscalls), and in a
    /// virtual machine a context switch costs more than a proxied request's own work.
    ///
    /// It returns when the set was idle on entry, when a wait found nothing for the rest of the
    /// budget, when the budget (the loop's tick interval) is used up, so the deadline tick and
    /// other queued work run at most that late, or at once when another thread announced work
    /// (`LoopWakeup`: `EventLoop.sync`, `EventLoop.execute`).
    ///
    /// Measured (no rules, a new connection per request, wrk -c32, perf stat): returning after
    /// 64 rounds or 1 ms without events cost 0.35-0.39 context switches and 57-58 µs of CPU per
    /// request against nginx's 0.17-0.23 and 49-53 µs; waiting up to the budget, 0.22-0.24 and
    /// 50-52 µs.
    private func drain() {
        let deadline = cshim_coarse_now() &+ budgetNanoseconds
        var timeout: Int32 = 0
        while true {
            let n = Int(cshim_epoll_wait(epfd, events, Int32(Self.batch), timeout))
            if n <= 0 { return }
            deferred.beginBatch()
            for i in 0..<n {
                let token = events[i].token
                let index = Int(UInt32(truncatingIfNeeded: token))
                let gen = UInt32(truncatingIfNeeded: token >> 32)
                guard index < slots.count, slots[index].generation == gen, let handler = slots[index].handler else {
                    continue
                }
                handler.handleEvent(events[i].events)
                if i & (Self.flushEvery &- 1) == Self.flushEvery &- 1 && i &+ 1 < n {
                    flushDeferred()
                    deferred.beginBatch()
                }
            }
            flushDeferred()
            if wakeup.hasPending { return }
            let now = cshim_coarse_now()
            if now >= deadline { return }
            // Rounded up, so a wait never ends just before the deadline and spins on a 0 timeout.
            timeout = Int32((deadline &- now &+ 999_999) / 1_000_000)
        }
    }
}
