import CShim
import Dispatch
import Glibc
import Logging

/// Accepts client connections on one loop. Every loop watches the same listening socket with
/// EPOLLEXCLUSIVE, so the kernel wakes one loop per new connection and no lock is needed.
final class Listener: EventHandler {
    /// `unowned(unsafe)`: the loop owns this object and outlives it (everything here runs on the loop's
    /// queue). The loop carries a weak-reference side table (its Dispatch handlers hold it weakly),
    /// which sends every checked `unowned` access through the runtime's slow retain/release path.
    unowned(unsafe) let loop: EventLoop
    let fd: Int32
    let context: ProxyContext
    let logger: Logger
    private var watching = false
    private var stopped = false
    /// Connections accepted per wake, so one busy listener cannot starve the loop.
    private static let acceptBatch = 64

    init(loop: EventLoop, fd: Int32, context: ProxyContext, logger: Logger) {
        self.loop = loop
        self.fd = fd
        self.context = context
        self.logger = logger
    }

    /// Starts watching (on the loop).
    func start() {
        guard !watching, !stopped else { return }
        watching = loop.watcher.watch(fd, self, edgeTriggered: false, exclusive: true)
    }

    /// Stops accepting (on the loop); the socket itself is closed by the server.
    func stop() {
        stopped = true
        if watching { loop.watcher.unwatch(fd); watching = false }
    }

    func handleEvent(_ events: UInt32) {
        for _ in 0..<Self.acceptBatch {
            switch Socket.accept(fd) {
            case .failed(let e):
                if e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM { backOff(errno: e) }
                else if e != EAGAIN && e != EWOULDBLOCK && e != EINTR && e != ECONNABORTED {
                    logger.warning("accept failed", metadata: ["errno": "\(e)"])
                }
                return
            case .accepted(let client, let peer):
                let open = context.openClients.wrappingAdd(1, ordering: .relaxed).newValue
                let overCap = open > context.config.maxConnections
                if overCap { context.openClients.wrappingSubtract(1, ordering: .relaxed) }
                let conn = ClientConnection(loop: loop, context: context, fd: client, peer: peer,
                                            counted: !overCap)
                guard loop.watcher.watch(client, conn) else {
                    if !overCap { context.openClients.wrappingSubtract(1, ordering: .relaxed) }
                    Glibc.close(client)
                    continue
                }
                loop.clientOpened()
                if overCap { conn.refuseOverCapacity() }
            }
        }
    }

    /// Out of descriptors or memory: stop watching for a moment instead of spinning on a
    /// listening socket that stays readable.
    private func backOff(errno e: Int32) {
        logger.error("accept failed; pausing accepts for 100 ms",
                     metadata: ["errno": "\(e)", "reason": "\(String(cString: strerror(e)))"])
        loop.watcher.unwatch(fd)
        watching = false
        let loop = self.loop
        loop.queue.asyncAfter(deadline: .now() + .milliseconds(100)) { loop.resumeListening() }
    }
}
