/// A transformation applied to a value before an operator sees it (`transforms:` in the native
/// language, `t:` in SecLang). Pure functions over bytes, applied in the order listed.
public enum Transformation: String, Sendable, Hashable, CaseIterable {
    case urlDecode = "url_decode"
    case urlDecodeUni = "url_decode_uni"
    case htmlEntityDecode = "html_entity_decode"
    case jsDecode = "js_decode"
    case cssDecode = "css_decode"
    case base64Decode = "base64_decode"
    case hexDecode = "hex_decode"
    case lowercase
    case uppercase
    case compressWhitespace = "compress_whitespace"
    case removeWhitespace = "remove_whitespace"
    case removeNulls = "remove_nulls"
    case replaceNulls = "replace_nulls"
    case removeComments = "remove_comments"
    case replaceComments = "replace_comments"
    case cmdLine = "cmd_line"
    case normalizePath = "normalize_path"
    case normalizePathWin = "normalize_path_win"
    case trim
    case length
    case utf8ToUnicode = "utf8_to_unicode"
    case sha1
    case md5

    /// The transformed value. Never fails: malformed input is handled as ModSecurity does
    /// (invalid escapes kept as they are).
    public func apply(_ input: [UInt8]) -> [UInt8] {
        fatalError("unimplemented")
    }
}
