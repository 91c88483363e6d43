import Dispatch
import Foundation
import PortcullisProxy
import Synchronization

/// Keeps every block-log line in memory.
final class MemorySink: BlockLogSink {
    private let bytes = Mutex<[UInt8]>([])
    let reopens = Atomic<Int>(0)

    func write(_ data: [UInt8]) -> Bool { bytes.withLock { $0.append(contentsOf: data) }; return true }
    func reopen() -> Bool { reopens.wrappingAdd(1, ordering: .relaxed); return true }
    func close() {}

    /// Each line parsed as a JSON object (a line that does not parse fails the test).
    func objects() throws -> [[String: Any]] {
        let text = String(decoding: bytes.withLock { $0 }, as: UTF8.self)
        return try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw TestError("not a JSON object: \(line)")
            }
            return object
        }
    }

    var text: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }
}

/// A sink whose first write blocks until released: a disk that cannot keep up.
final class StalledSink: BlockLogSink {
    let writing = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)
    private let lines = Mutex(0)

    func write(_ data: [UInt8]) -> Bool {
        writing.signal()
        release.wait()
        lines.withLock { $0 += data.filter { $0 == 0x0A }.count }
        return true
    }
    func reopen() -> Bool { true }
    func close() {}
    var written: Int { lines.withLock { $0 } }
}

/// A clock that moves `step` nanoseconds at every reading, so a measured span is a whole number
/// of steps.
final class SteppingTimeSource: TimeSource {
    private let now = Atomic<UInt64>(1_000_000_000)
    let step: UInt64
    init(step: UInt64) { self.step = step }
    func nowNanoseconds() -> UInt64 { now.wrappingAdd(step, ordering: .relaxed).newValue }
}

extension ProxyHarness {
    /// A harness around a server built by the test itself (block log, clock).
    init(server: ProxyServer, port: UInt16) {
        self.server = server
        self.port = port
    }
}
