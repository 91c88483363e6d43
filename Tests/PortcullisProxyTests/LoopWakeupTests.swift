import Dispatch
import Glibc
@testable import PortcullisProxy
import Testing

/// A loop's handler keeps the queue while it waits in its epoll set for more events (up to its
/// time budget); work announced from another thread must end that wait at once.
@Suite struct LoopWakeupTests {
    /// Reads the byte written to its socket on the loop, then tells the test.
    final class PipeReader: EventHandler, @unchecked Sendable {
        let fd: Int32
        let handled = DispatchSemaphore(value: 0)

        init(fd: Int32) { self.fd = fd }

        func handleEvent(_ events: UInt32) {
            var byte: UInt8 = 0
            while read(fd, &byte, 1) == 1 { handled.signal() }
        }
    }

    enum Submit: CaseIterable, CustomStringConvertible {
        case sync, execute
        var description: String { self == .sync ? "sync" : "execute" }
    }

    /// A loop whose handler has just handled an event and now waits with a budget of a minute:
    /// without the wakeup, work queued behind it would wait that long.
    @Test(arguments: Submit.allCases)
    func announcedWorkEndsTheWaitOfABusyLoop(_ submit: Submit) throws {
        let loop = LoopFixtures.loop(tickMilliseconds: 60_000)
        loop.start()
        let (reading, writing) = try LoopFixtures.socketPair()
        let reader = PipeReader(fd: reading)
        #expect(loop.sync { loop.watcher.watch(reading, reader) })
        var byte: UInt8 = 1
        #expect(write(writing, &byte, 1) == 1)
        #expect(reader.handled.wait(timeout: .now() + 30) == .success, "the loop handles the byte")

        let clock = ContinuousClock()
        let started = clock.now
        switch submit {
        case .sync:
            #expect(loop.sync { loop.watcher.watchedCount } == 2, "the wakeup eventfd and the socket")
        case .execute:
            let ran = DispatchSemaphore(value: 0)
            loop.execute { ran.signal() }
            #expect(ran.wait(timeout: .now() + 50) == .success)
        }
        #expect(clock.now - started < .seconds(20), "the work ran without waiting for the budget to end")

        loop.sync { loop.watcher.unwatch(reading) }
        close(reading)
        close(writing)
        loop.execute { loop.stop() }
    }
}
