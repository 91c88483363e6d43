#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the end of a message head across reads and enforces the head limits as bytes arrive.
///
/// Why a separate pass from parsing: limits must hold before a line is complete (a 414 cannot wait
/// for an LF that never comes), while the grammar is easier and faster to check on the whole head
/// at once. The scanner only looks at line ends; the head parsers check everything else.
///
/// Every decision is a function of the bytes seen so far, never of how they were split: a limit
/// fires at the byte that makes it certain, and when two limits are exceeded the one that became
/// certain first wins.
struct HeadScanner: Sendable {
    enum Failure: Sendable, Equatable {
        case startLineTooLong, fieldLineTooLong, headTooLarge, tooManyFields, bareLF, tooManyEmptyLines
    }

    enum Outcome {
        /// All input consumed (held in the accumulation buffer).
        case needMore
        /// The head ends after `consumed` bytes of this input; `storage` holds the whole head.
        case complete(consumed: Int, storage: [UInt8], fieldCount: Int)
        case failure(Failure)
    }

    /// RFC 9112 2.2 lets a server ignore empty lines before a request line; a bounded number
    /// keeps a stream of CRLFs from holding a connection forever.
    static let maxLeadingEmptyLines = 4

    let maxStartLine: Int
    let maxFieldLine: Int
    let maxHeadBytes: Int
    let maxFieldCount: Int
    /// Requests: a line must end in CRLF. Responses: a bare LF is tolerated.
    let requireCRLF: Bool

    /// Head bytes of an unfinished head, from its first byte.
    private(set) var buffer: [UInt8] = []
    /// Offset (in head bytes) where the current, unfinished line starts.
    private var lineStart = 0
    /// Complete lines so far; the first is the start line.
    private var lines = 0
    private var emptyLinesSkipped = 0

    init(maxStartLine: Int, maxFieldLine: Int, maxHeadBytes: Int, maxFieldCount: Int, requireCRLF: Bool) {
        self.maxStartLine = maxStartLine
        self.maxFieldLine = maxFieldLine
        self.maxHeadBytes = maxHeadBytes
        self.maxFieldCount = maxFieldCount
        self.requireCRLF = requireCRLF
    }

    /// No bytes of a head are held.
    var isEmpty: Bool { buffer.isEmpty }

    /// Forgets any partial head and the empty-line count (start of a new message).
    mutating func reset() {
        buffer.removeAll(keepingCapacity: true)
        lineStart = 0
        lines = 0
        emptyLinesSkipped = 0
    }

    /// Drops the accumulation buffer's memory; only while nothing is held.
    mutating func releaseMemory() {
        if buffer.isEmpty { buffer = [] }
    }

    mutating func scan(_ input: UnsafeRawBufferPointer) -> Outcome {
        let count = input.count
        guard count > 0, let base = input.baseAddress else { return .needMore }
        // Head offset of input[i] is `held + i - inputStart`; empty lines skipped before the
        // start line move `inputStart` forward so they never become part of the head.
        var held = buffer.count
        var inputStart = 0
        var pos = 0
        while pos < count {
            guard let hit = memchr(base + pos, Int32(Byte.lf), count - pos) else { break }
            let lf = base.distance(to: UnsafeRawPointer(hit))
            let lfOffset = held + lf - inputStart
            let hasCR = lfOffset > lineStart && byte(atHeadOffset: lfOffset - 1, input: input,
                                                     held: held, inputStart: inputStart) == Byte.cr
            let contentLength = lfOffset - lineStart - (hasCR ? 1 : 0)
            if let failure = limitFailure(contentLength: contentLength, availableEnd: lfOffset + 1) {
                return .failure(failure)
            }
            if requireCRLF && !hasCR { return .failure(.bareLF) }
            if contentLength == 0 {
                if lines == 0 {
                    emptyLinesSkipped += 1
                    if emptyLinesSkipped > Self.maxLeadingEmptyLines { return .failure(.tooManyEmptyLines) }
                    buffer.removeAll(keepingCapacity: true)
                    held = 0
                    inputStart = lf + 1
                    lineStart = 0
                    pos = lf + 1
                    continue
                }
                return finish(input: input, held: held, inputStart: inputStart, end: lf + 1)
            }
            lines += 1
            if lines - 1 > maxFieldCount { return .failure(.tooManyFields) }
            lineStart = lfOffset + 1
            pos = lf + 1
        }
        if let failure = limitFailure(contentLength: nil, availableEnd: held + count - inputStart) {
            return .failure(failure)
        }
        if inputStart < count {
            if buffer.capacity == 0 { buffer.reserveCapacity(Swift.max(1024, 2 * (count - inputStart))) }
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[inputStart..<count]))
        }
        return .needMore
    }

    private mutating func finish(input: UnsafeRawBufferPointer, held: Int, inputStart: Int, end: Int) -> Outcome {
        let tail = UnsafeRawBufferPointer(rebasing: input[inputStart..<end])
        let storage: [UInt8]
        if held == 0 {
            // The whole head arrived in one read: one copy, straight into the head's own storage.
            storage = Array(tail)
        } else {
            buffer.append(contentsOf: tail)
            storage = buffer
            buffer = []
        }
        let fieldCount = lines - 1
        lineStart = 0
        lines = 0
        emptyLinesSkipped = 0
        return .complete(consumed: end, storage: storage, fieldCount: fieldCount)
    }

    @inline(__always)
    private func byte(atHeadOffset offset: Int, input: UnsafeRawBufferPointer, held: Int, inputStart: Int) -> UInt8 {
        offset < held ? buffer[offset] : input[offset - held + inputStart]
    }

    /// The limit that the bytes up to `availableEnd` (head offset, exclusive) make certain, if any.
    /// `contentLength` is the current line's length without its terminator when the line is
    /// complete, nil while it is still arriving.
    @inline(__always)
    private func limitFailure(contentLength: Int?, availableEnd: Int) -> Failure? {
        let maxLine = lines == 0 ? maxStartLine : maxFieldLine
        // The byte at `lineStart + maxLine + 1` proves the line too long: even if the next byte
        // were the LF, at most one CR could be dropped from the count.
        var lineAt = Int.max
        if let length = contentLength {
            if length > maxLine { lineAt = lineStart + maxLine + 1 }
        } else if availableEnd - lineStart >= maxLine + 2 {
            lineAt = lineStart + maxLine + 1
        }
        let headAt = maxHeadBytes < availableEnd ? maxHeadBytes : Int.max
        if lineAt == Int.max && headAt == Int.max { return nil }
        if lineAt <= headAt { return lines == 0 ? .startLineTooLong : .fieldLineTooLong }
        return .headTooLarge
    }
}
