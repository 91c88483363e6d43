/// Something whose buffered output can wait for the end of the current batch of readiness events.
protocol DeferredFlushing: AnyObject {
    /// Sends what was held back (on the loop, after the batch's events were handled).
    func flushDeferred()
}

/// Small writes held back while a batch of readiness events is handled, then sent together.
///
/// Why: a `send` over loopback delivers the bytes in the sender's own system call, and when the
/// reader is asleep the sender also pays for waking it (in a virtual machine, an interprocessor
/// interrupt). A proxy that spends a few microseconds on each request between its sends wakes its
/// upstream and its clients once per request; sending a batch's requests and responses one after
/// another at the batch's end wakes each reader once per batch. Measured with perf under load
/// (`post`, default rules, both CPUs busy with other work): the wake-up path was 15 % of the
/// proxy's CPU samples against 9 % with no rules, and 8.7 % with this; on a quiet machine the
/// gain was within the run-to-run drift (Bench/README.md, "Under load"). Large writes (bodies
/// being streamed) are never held back, so backpressure and memory bounds are unchanged; a write
/// waits at most for the batch it was made in.
struct DeferredFlushes {
    /// Writes of at most this many bytes may wait for the batch's end.
    static let sizeLimit = 16 * 1024

    /// True while the loop handles a batch of events.
    private(set) var batching = false
    private var waiting: [any DeferredFlushing] = []

    mutating func beginBatch() { batching = true }

    /// Whether a flush of `count` buffered bytes by `target` waits for the batch's end (then it is
    /// held, once: `queued` is the target's own flag, cleared by its `flushDeferred`); false when
    /// it must go out now (no batch under way, or too many bytes).
    mutating func hold(_ target: any DeferredFlushing, count: Int, queued: inout Bool) -> Bool {
        guard batching, count <= Self.sizeLimit else { return false }
        if !queued {
            queued = true
            waiting.append(target)
        }
        return true
    }

    /// Ends the batch. The caller then flushes `self[0..<count]` in the order the writes were made
    /// (each element read on its own, as a flush may read `batching`: a flush made while flushing,
    /// a drained upstream resuming its client, goes out at once) and calls `clear`.
    mutating func endBatch() { batching = false }

    var count: Int { waiting.count }
    subscript(index: Int) -> any DeferredFlushing { waiting[index] }
    mutating func clear() { waiting.removeAll(keepingCapacity: true) }
}
