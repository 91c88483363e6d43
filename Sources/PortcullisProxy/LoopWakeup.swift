import CShim
import Glibc
import Synchronization

/// Tells a loop that work from another thread waits on its queue, so it stops waiting in its
/// epoll set and returns to Dispatch.
///
/// Why: a loop's Dispatch handler stays in `epoll_wait` while it is busy or briefly idle (see
/// `ReadinessWatcher.drain`), which keeps the serial queue occupied. Work submitted through
/// `EventLoop.sync` / `EventLoop.execute` is announced here first: the count makes the handler
/// return instead of waiting again, and the eventfd (watched in the loop's epoll set) wakes a
/// wait already under way. Work submitted without announcing still runs, at the latest when the
/// handler's time budget ends.
final class LoopWakeup: Sendable {
    /// The eventfd; closed when the last reference goes (another thread may still announce).
    let fd: Int32
    private let pending = Atomic<Int>(0)

    init() {
        fd = cshim_eventfd()
        precondition(fd >= 0, "eventfd failed: errno \(errno)")
    }

    deinit { close(fd) }

    /// Work is about to be queued (any thread): the count first, then the eventfd, so a handler
    /// woken by the eventfd sees the count.
    func announce() {
        pending.wrappingAdd(1, ordering: .sequentiallyConsistent)
        cshim_eventfd_signal(fd)
    }

    /// Announced work has started running on the loop.
    func started() {
        pending.wrappingSubtract(1, ordering: .sequentiallyConsistent)
    }

    /// True while announced work waits for the queue.
    var hasPending: Bool { pending.load(ordering: .sequentiallyConsistent) > 0 }
}

/// Resets the wakeup eventfd when the loop's epoll set reports it (level-triggered).
final class LoopWakeupReader: EventHandler {
    let fd: Int32

    init(fd: Int32) { self.fd = fd }

    func handleEvent(_ events: UInt32) { cshim_eventfd_reset(fd) }
}
