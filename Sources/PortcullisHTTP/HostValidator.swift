/// Validates `uri-host [ ":" port ]` (RFC 9110 7.2, RFC 3986 3.2.2) for Host values and the
/// authority of absolute-form and authority-form targets.
///
/// Why strict: the Host is what virtual hosts and rules key on; a value with spaces, `/`, `@` or
/// control bytes is read differently by different servers.
enum HostValidator {
    /// Accepts `host`, `host:port` and `[v6]` / `[v6]:port` with a port of 1–5 digits up to 65535.
    /// The host is a reg-name (unreserved, sub-delims, percent-encoded octets) or an IPv6
    /// literal (hex digits, `:` and `.`). Empty values and userinfo are rejected.
    static func isValid(_ buf: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, requirePort: Bool = false) -> Bool {
        var i = range.lowerBound
        let end = range.upperBound
        guard i < end else { return false }
        if buf[i] == Byte.openBracket {
            i += 1
            let literalStart = i
            while i < end, buf[i] != Byte.closeBracket {
                let b = buf[i]
                guard CharClass.hexValue(b) != nil || b == Byte.colon || b == 0x2E else { return false }
                i += 1
            }
            guard i < end, i - literalStart >= 2 else { return false }
            i += 1
        } else {
            let nameStart = i
            while i < end, buf[i] != Byte.colon {
                let b = buf[i]
                if b == Byte.percent {
                    guard i + 2 < end, CharClass.hexValue(buf[i + 1]) != nil,
                          CharClass.hexValue(buf[i + 2]) != nil else { return false }
                    i += 3
                    continue
                }
                guard CharClass.isRegName(b) else { return false }
                i += 1
            }
            guard i > nameStart else { return false }
        }
        if i == end { return !requirePort }
        guard buf[i] == Byte.colon else { return false }
        i += 1
        let digits = end - i
        guard digits >= 1 && digits <= 5 else { return false }
        var port = 0
        while i < end {
            guard CharClass.isDigit(buf[i]) else { return false }
            port = port * 10 + Int(buf[i] &- 0x30)
            i += 1
        }
        return port <= 65535
    }
}
