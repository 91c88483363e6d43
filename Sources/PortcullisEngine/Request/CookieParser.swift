/// Parses `Cookie` field values into named values, as servers see them.
///
/// Why no decoding: cookie values are opaque to HTTP; frameworks differ on whether they
/// percent-decode or unquote them, and the transformations (`url_decode` …) are there for rules
/// that want it. So values are the raw bytes:
/// - pairs are separated by `;` (a `,` is part of the value);
/// - spaces and tabs around names and values are trimmed;
/// - only the first `=` splits a pair (`a=b=c` is `a` with the value `b=c`); quotes are kept;
/// - a pair without `=` is a value with an empty name (RFC 6265bis 5.6, as browsers send
///   `document.cookie = "x"`), so `cookies` still inspects it;
/// - empty pairs are skipped; several `Cookie` fields are read in order as one list.
public enum CookieParser {
    /// Appends the cookies in one `Cookie` field value to `out`: names and values are slices of
    /// `input` (its storage, not copies).
    public static func parse(_ input: ArraySlice<UInt8>, into out: inout [TargetValue]) {
        input.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let end = buffer.count
            @inline(__always) func cut(_ range: Range<Int>) -> ArraySlice<UInt8> {
                input[(input.startIndex + range.lowerBound)..<(input.startIndex + range.upperBound)]
            }
            var start = 0
            while start < end {
                let stop = ByteScan.first(UInt8(ascii: ";"), base, from: start, to: end)
                let eq = ByteScan.first(UInt8(ascii: "="), base, from: start, to: stop)
                if eq == stop {
                    let value = trimmed(buffer, start, stop)
                    if !value.isEmpty {
                        out.append(TargetValue(name: [], value: cut(value)))
                    }
                } else {
                    out.append(TargetValue(name: cut(trimmed(buffer, start, eq)),
                                           value: cut(trimmed(buffer, eq + 1, stop))))
                }
                start = stop + 1
            }
        }
    }

    private static func trimmed(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Range<Int> {
        var lo = start
        var hi = end
        while lo < hi, buffer[lo] == UInt8(ascii: " ") || buffer[lo] == UInt8(ascii: "\t") { lo += 1 }
        while hi > lo, buffer[hi - 1] == UInt8(ascii: " ") || buffer[hi - 1] == UInt8(ascii: "\t") { hi -= 1 }
        return lo..<hi
    }
}
