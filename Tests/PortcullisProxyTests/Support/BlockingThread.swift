@testable import PortcullisProxy

/// Runs blocking test work (accept loops, upstream scripts, load clients) on a thread of its own.
///
/// Why not `DispatchQueue.global()`: its pool has about one thread per CPU; a few tests blocked
/// in `accept`/`recv` there starve everything else queued on it, in whichever test runs in
/// parallel, and requests then go unanswered for reasons that have nothing to do with the proxy.
enum BlockingThread {
    static func start(_ work: @escaping @Sendable () -> Void) { DedicatedThread.start(work) }
}
