import Dispatch
import Glibc
import PortcullisEngine
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
        let ruleSet = CompiledRuleSet(name: "none", sourcePath: "", defaultAction: .allow, body: BodyInspection(),
                                      loadedAt: .zero, loadDuration: .zero)
        let loop = EventLoop(index: 0, time: SystemTimeSource(), inspector: Inspector(ruleSet: ruleSet),
                             tickMilliseconds: 60_000)
        loop.start()
        var fds: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        try #require(socketpair(AF_UNIX, type, 0, &fds) == 0)
        let reader = PipeReader(fd: fds[0])
        #expect(loop.sync { loop.watcher.watch(fds[0], reader) })
        var byte: UInt8 = 1
        #expect(write(fds[1], &byte, 1) == 1)
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

        loop.sync { loop.watcher.unwatch(fds[0]) }
        close(fds[0])
        close(fds[1])
        loop.execute { loop.stop() }
    }
}
