import Glibc

/// A loop's keep-alive connections to the upstream: idle ones wait here, most recently used first.
///
/// Loop-confined, so taking and returning a connection needs no lock.
final class UpstreamPool {
    /// `unowned(unsafe)`: the loop owns this object and outlives it (everything here runs on the loop's
    /// queue). The loop carries a weak-reference side table (its Dispatch handlers hold it weakly),
    /// which sends every checked `unowned` access through the runtime's slow retain/release path.
    unowned(unsafe) let loop: EventLoop
    private var idle: [UpstreamConnection] = []
    private(set) var openCount = 0
    /// Connections waiting for their next exchange.
    var idleCount: Int { idle.count }
    /// Send buffers up to this size stay with an idle connection (at most `upstreamIdlePerLoop`
    /// of them, so 1 MiB per loop at the default 64); larger ones are freed. 16 KiB holds a
    /// request head and a body up to the default inspect limit.
    static let keptOutputCapacity = 16 * 1024

    init(loop: EventLoop) { self.loop = loop }

    enum Acquired {
        case connection(UpstreamConnection)
        case failed(Int32)
    }

    /// An idle connection if one is open, else a new one (possibly still connecting).
    func acquire(_ context: ProxyContext) -> Acquired {
        while let conn = idle.popLast() {
            if !conn.closed { return .connection(conn) }
        }
        let fd: Int32
        let connecting: Bool
        switch Socket.connect(to: context.config.upstream) {
        case .connected(let f): fd = f; connecting = false
        case .inProgress(let f): fd = f; connecting = true
        case .failed(let e): return .failed(e)
        }
        let conn = UpstreamConnection(loop: loop, fd: fd, connecting: connecting)
        guard loop.watcher.watch(fd, conn) else {
            Glibc.close(fd)
            return .failed(errno)
        }
        openCount += 1
        return .connection(conn)
    }

    /// A connection this pool opened has closed (called by the connection itself).
    ///
    /// A method rather than a closure per connection: a `[weak self]` closure allocated a
    /// context per connection and gave the pool a side table, which sent every retain of the pool
    /// through the runtime's slow path.
    func closed(_ conn: UpstreamConnection) {
        openCount -= 1
        if let i = idle.firstIndex(where: { $0 === conn }) { idle.remove(at: i) }
    }

    /// Takes back a connection whose last response was complete and reusable.
    func release(_ conn: UpstreamConnection, limit: Int) {
        guard !conn.closed else { return }
        // Request bytes still unsent (the upstream answered before reading them all): sent
        // later, they would be read as the start of the next request on this connection.
        if idle.count >= limit || loop.draining || !conn.out.isEmpty {
            conn.close()
            return
        }
        conn.reused = true
        conn.idleSince = loop.now
        conn.out.releaseMemory(keepingUpTo: Self.keptOutputCapacity)
        idle.append(conn)
    }

    /// Closes idle connections older than `timeout` nanoseconds.
    func sweep(now: UInt64, timeout: UInt64) {
        guard !idle.isEmpty else { return }
        for conn in idle where now &- conn.idleSince >= timeout { conn.close() }
    }

    func closeAll() {
        for conn in idle { conn.close() }
        idle.removeAll()
    }
}
