import Glibc
import PortcullisEngine
@testable import PortcullisProxy
import Testing

/// Pieces for tests that drive an `EventLoop` and its handlers directly, without a server.
enum LoopFixtures {
    /// A loop (not started) that inspects with an empty rule set.
    static func loop(tickMilliseconds: Int = 100) -> EventLoop {
        let ruleSet = CompiledRuleSet(name: "none", sourcePath: "", defaultAction: .allow, body: BodyInspection(),
                                      loadedAt: .zero, loadDuration: .zero)
        return EventLoop(index: 0, time: SystemTimeSource(), inspector: Inspector(ruleSet: ruleSet),
                         tickMilliseconds: tickMilliseconds)
    }

    /// A connected pair of non-blocking Unix stream sockets; the caller closes both.
    static func socketPair() throws -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        try #require(socketpair(AF_UNIX, type, 0, &fds) == 0)
        return (fds[0], fds[1])
    }
}
