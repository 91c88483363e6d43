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
        var valueEnd = i
        while i < end {
            let b = buf[i]
            guard CharClass.isFieldValue(b) else { throw b == Byte.cr ? .bareCR : .badFieldValue }
            i += 1
            if b > Byte.sp { valueEnd = i }
        }
        let kind = FieldKind.recognise(buf, name)
        return HeaderField(name: name, value: valueStart..<valueEnd, kind: kind, isHopByHop: kind.isAlwaysHopByHop)
    }
}
