import Glibc

/// Runs blocking test work (accept loops, upstream scripts, load clients) on a thread of its own.
///
/// Why not `DispatchQueue.global()`: its pool has about one thread per CPU; a few tests blocked
/// in `accept`/`recv` there starve everything else queued on it, in whichever test runs in
/// parallel, and requests then go unanswered for reasons that have nothing to do with the proxy.
enum BlockingThread {
    private final class Box {
        let work: () -> Void
        init(_ work: @escaping () -> Void) { self.work = work }
    }

    static func start(_ work: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Box(work)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.work()
            return nil
        }, box)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        pthread_detach(thread)
    }
}
