import CShim
import Glibc

/// Bytes waiting to be sent on one socket, flushed with as few `send` calls as the kernel allows.
///
/// Why a start index instead of removing from the front: a partial send must not shift the rest.
struct OutputBuffer {
    private(set) var bytes: [UInt8] = []
    private var start = 0

    var isEmpty: Bool { start == bytes.count }
    var count: Int { bytes.count - start }

    mutating func append(_ data: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: data)
    }

    /// Lets a serialiser write straight into the buffer.
    mutating func withBytes<T>(_ body: (inout [UInt8]) -> T) -> T { body(&bytes) }

    enum FlushResult {
        /// Everything was sent.
        case drained
        /// The socket's send buffer is full; wait for writability. `progressed` tells whether
        /// this call sent anything (send timeouts measure time without progress).
        case pending(progressed: Bool)
        /// The peer is gone or the socket failed.
        case failed(Int32)
    }

    /// Sends as much as the socket takes now.
    mutating func flush(to fd: Int32) -> FlushResult {
        let startedAt = start
        while start < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                cshim_send(fd, raw.baseAddress! + start, raw.count - start)
            }
            if n > 0 {
                start += n
                continue
            }
            let e = cshim_errno()
            if e == EAGAIN || e == EWOULDBLOCK {
                let progressed = start > startedAt
                compact()
                return .pending(progressed: progressed)
            }
            return .failed(e)
        }
        bytes.removeAll(keepingCapacity: bytes.capacity <= 1 << 17)
        start = 0
        return .drained
    }

    private mutating func compact() {
        if start > 0 && start >= bytes.count / 2 {
            bytes.removeFirst(start)
            start = 0
        }
    }

    /// Frees the storage of an empty buffer (idle connections hold no send buffer).
    mutating func releaseMemory() {
        if isEmpty { bytes = []; start = 0 }
    }

    /// Frees the storage of an empty buffer only when it is larger than `limit` bytes: a pooled
    /// upstream connection keeps a small buffer for its next request, whose head and held body
    /// then go out without a fresh allocation (a growth right after inspection, in a heap the
    /// inspection just fragmented, cost ~11k instructions per `post`).
    mutating func releaseMemory(keepingUpTo limit: Int) {
        if bytes.capacity > limit { releaseMemory() }
    }
}
