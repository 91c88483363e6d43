import Glibc
@testable import PortcullisProxy
import Testing

/// What the loop's pool of upstream connections takes back for reuse.
@Suite struct UpstreamPoolTests {
    /// An upstream may answer before it has read the whole request (an early 413, say). Bytes of
    /// that request still waiting to be sent would reach it as the start of the next request on
    /// the connection, so such a connection is closed, never pooled.
    @Test(arguments: [0, 1, 5000])
    func aConnectionIsPooledOnlyWithNothingLeftToSend(unsent: Int) throws {
        let loop = LoopFixtures.loop()
        let (mine, peer) = try LoopFixtures.socketPair()
        defer { close(peer) }
        let conn = UpstreamConnection(loop: loop, fd: mine, connecting: false)
        #expect(loop.watcher.watch(mine, conn))
        let tail = [UInt8](repeating: 120, count: unsent)
        tail.withUnsafeBytes { conn.out.append($0) }
        loop.upstreamPool.release(conn, limit: 8)
        #expect(conn.closed == (unsent > 0))
        #expect(loop.upstreamPool.idleCount == (unsent > 0 ? 0 : 1))
        if !conn.closed { conn.close() }
        #expect(loop.upstreamPool.idleCount == 0)
    }
}
