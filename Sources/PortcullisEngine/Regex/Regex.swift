import CPCRE2

/// A PCRE2 pattern compiled once (JIT when available) and shared read-only by every event loop.
///
/// Patterns are compiled without UTF and with `PCRE2_NEVER_UTF`, so they work on bytes the way
/// ModSecurity's do: a subject need not be valid UTF-8 (attackers send whatever they like), and a
/// `(*UTF)` inside a pattern cannot switch `pcre2_jit_match` — which skips UTF validity checks —
/// onto input it would misread. Matching needs a per-loop `MatchScratch` and never throws.
public final class Regex: Sendable {
    /// The pattern as written.
    public let pattern: String
    /// The options it was compiled with.
    public let options: RegexOptions
    /// True when PCRE2 JIT-compiled the pattern; matching then uses `pcre2_jit_match`.
    public let isJITCompiled: Bool
    // Immutable after init; PCRE2 documents a compiled pattern as safe to share across threads.
    nonisolated(unsafe) let code: OpaquePointer
    /// What PCRE2 knows about every match (shortest length, start bytes, a required byte): lets
    /// the engine skip values that cannot match without calling PCRE2.
    let prefilter: RegexPrefilter

    /// Compiles `pattern`. Throws `RegexError` with PCRE2's message and the offset it stopped at.
    public init(_ pattern: String, options: RegexOptions = []) throws(RegexError) {
        var errorCode: Int32 = 0
        var errorOffset = 0
        let flags = options.rawValue | PCRE2_NEVER_UTF
        // The trailing NUL only keeps the pointer non-null for an empty pattern; the length
        // passed excludes it, so NULs inside the pattern are fine.
        let bytes = Array(pattern.utf8) + [0]
        let compiled = bytes.withUnsafeBufferPointer { buffer in
            pcre2_compile_8(buffer.baseAddress, buffer.count - 1, flags, &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            throw RegexError(pattern: pattern, message: Regex.message(for: errorCode),
                             offset: errorOffset, code: errorCode)
        }
        self.pattern = pattern
        self.options = options
        self.code = compiled
        self.isJITCompiled = pcre2_jit_compile_8(compiled, PCRE2_JIT_COMPLETE) == 0
        self.prefilter = RegexPrefilter(code: compiled)
    }

    deinit {
        pcre2_code_free_8(code)
    }

    /// Bytes of machine code the JIT produced; zero when the interpreter is used.
    public var jitSize: Int {
        var size = 0
        let rc = pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_JITSIZE), &size)
        return rc == 0 ? size : 0
    }

    /// Finds the leftmost match in `bytes`, starting the search at `startOffset`.
    ///
    /// Total: any PCRE2 failure other than "no match" or a resource limit is also reported as
    /// `.limitHit` rather than trapping, because a request must always get a verdict.
    public func firstMatch(in bytes: UnsafeRawBufferPointer, from startOffset: Int = 0,
                           scratch: inout MatchScratch) -> RegexMatchResult {
        precondition(startOffset >= 0 && startOffset <= bytes.count, "startOffset out of range")
        guard let base = bytes.baseAddress else {
            // PCRE2 before 10.43 rejects a null subject even with length 0.
            var empty: UInt8 = 0
            return withUnsafePointer(to: &empty) { match($0, length: 0, from: 0, scratch: &scratch) }
        }
        return match(base.assumingMemoryBound(to: UInt8.self), length: bytes.count, from: startOffset,
                     scratch: &scratch)
    }

    private func match(_ subject: UnsafePointer<UInt8>, length: Int, from startOffset: Int,
                       scratch: inout MatchScratch) -> RegexMatchResult {
        let rc: Int32
        if isJITCompiled {
            rc = pcre2_jit_match_8(code, subject, length, startOffset, 0,
                                   scratch.matchData, scratch.context)
        } else {
            rc = pcre2_match_8(code, subject, length, startOffset, 0,
                               scratch.matchData, scratch.context)
        }
        if rc >= 0 {
            // rc == 0 only says the ovector was too small for all captures; pair 0 is still set.
            let ovector = pcre2_get_ovector_pointer_8(scratch.matchData)!
            return .match(ovector[0]..<ovector[1])
        }
        return rc == PCRE2_ERROR_NOMATCH ? .noMatch : .limitHit
    }

    /// Convenience for one-off matches (tests, `portcullis check`); the hot path passes a scratch.
    public func firstMatch(in bytes: some Sequence<UInt8>, limits: MatchLimits = .default) -> RegexMatchResult {
        var scratch = MatchScratch(limits: limits)
        let array = Array(bytes)
        return array.withUnsafeBytes { firstMatch(in: $0, scratch: &scratch) }
    }

    private static func message(for code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = buffer.withUnsafeMutableBufferPointer {
            pcre2_get_error_message_8(code, $0.baseAddress, $0.count)
        }
        guard length > 0 else { return "PCRE2 error \(code)" }
        return String(decoding: buffer[0..<Int(length)], as: UTF8.self)
    }
}
