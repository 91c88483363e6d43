/// Bytes shown to people: printable ASCII as is, `"` and `\` escaped, `\r` `\n` `\t` by name,
/// every other byte (controls, non-ASCII) as `\xNN`, so what a rule saw is exact and an evasion
/// (a NUL, an overlong UTF-8 sequence) stays visible.
public enum ByteText {
    /// `bytes` between quotes, cut after `limit` bytes with `…(N bytes)` noting the full length.
    public static func quoted(_ bytes: [UInt8], limit: Int) -> String {
        var out = "\"" + escaped(bytes.prefix(limit)) + "\""
        if bytes.count > limit { out += "…(\(bytes.count) bytes)" }
        return out
    }

    /// `bytes` escaped as described above, without quotes.
    public static func escaped(_ bytes: some Sequence<UInt8>) -> String {
        var out = ""
        for b in bytes {
            switch b {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                out += "\\x"
                out.unicodeScalars.append(Unicode.Scalar(hexDigits[Int(b >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hexDigits[Int(b & 0xF)]))
            }
        }
        return out
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
