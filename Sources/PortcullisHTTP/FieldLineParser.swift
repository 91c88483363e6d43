/// Parses and validates one field line (RFC 9110 5.1, 5.5; RFC 9112 5) of a head or trailer.
///
/// Strict on purpose: each rejected shape below is one that some HTTP implementation reads
/// differently from another, which is what request smuggling feeds on.
enum FieldLineParser {
    /// Parses the field line `buf[start..<end]` (terminator excluded). Rejects obs-fold (a line
    /// starting with SP/HTAB), whitespace before the colon, non-token or empty names, a missing
    /// colon, and CTLs other than HTAB in the value (CR, LF, NUL, DEL …). Bytes >= 0x80 are
    /// allowed in values (obs-text). The value range excludes leading and trailing OWS.
    @inline(__always)
    static func parse(_ buf: UnsafeBufferPointer<UInt8>, start: Int, end: Int) throws(HTTPParseError) -> HeaderField {
        let first = buf[start]
        if CharClass.isOWS(first) { throw .obsFold }
        var i = start
        while i < end && CharClass.isToken(buf[i]) { i += 1 }
        guard i < end, buf[i] == Byte.colon else {
            if i < end && CharClass.isOWS(buf[i]) { throw .whitespaceBeforeColon }
            if i < end && buf[i] == Byte.cr { throw .bareCR }
            throw .badFieldName
        }
        if i == start { throw .emptyFieldName }
        let name = start..<i
        i += 1
        while i < end && CharClass.isOWS(buf[i]) { i += 1 }
        let valueStart = i
        try validateValue(buf, from: i, to: end)
        var valueEnd = end
        while valueEnd > valueStart && CharClass.isOWS(buf[valueEnd - 1]) { valueEnd -= 1 }
        let kind = FieldKind.recognise(buf, name)
        return HeaderField(name: name, value: valueStart..<valueEnd, kind: kind, isHopByHop: kind.isAlwaysHopByHop)
    }

    /// Checks that `buf[start..<end]` has no CTL other than HTAB and no DEL.
    ///
    /// Why eight bytes at a time: values are most of a head's bytes. A word is accepted when no
    /// byte is below 0x20 and none is 0x7F (the classic "has byte less than" tests, exact about
    /// whether such a byte exists); a word that fails — usually one with an HTAB — is checked
    /// byte by byte, and so is the tail.
    @inline(__always)
    static func validateValue(_ buf: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) throws(HTTPParseError) {
        var i = start
        if let base = buf.baseAddress {
            let raw = UnsafeRawPointer(base)
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            while i + 8 <= end {
                let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let belowSpace = (x &- ones &* 0x20) & ~x & highs
                let y = x ^ (ones &* 0x7F)
                let isDEL = (y &- ones) & ~y & highs
                if belowSpace | isDEL != 0 { break }
                i += 8
            }
        }
        while i < end {
            let b = buf[i]
            guard CharClass.isFieldValue(b) else { throw b == Byte.cr ? .bareCR : .badFieldValue }
            i += 1
        }
    }
}
