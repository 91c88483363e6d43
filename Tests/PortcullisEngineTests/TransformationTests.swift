import Testing
@testable import PortcullisEngine

/// One row of a transformation table: what goes in, what must come out, and why the row exists.
struct TransformationCase: Sendable, CustomTestStringConvertible {
    let transformation: Transformation
    let input: [UInt8]
    let expected: [UInt8]
    let why: String
    var testDescription: String { "\(transformation.rawValue): \(why)" }
}

/// A chain of transformations applied in order, as a rule's `transforms:` list does.
struct TransformationChainCase: Sendable, CustomTestStringConvertible {
    let chain: [Transformation]
    let input: [UInt8]
    let expected: [UInt8]
    var testDescription: String { chain.map(\.rawValue).joined(separator: " → ") }
}

private func b(_ s: String) -> [UInt8] { Array(s.utf8) }

/// Bytes from hex text (for digests).
private func hex(_ s: String) -> [UInt8] {
    let digits = Array(s.utf8)
    return stride(from: 0, to: digits.count, by: 2).map {
        UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)!
    }
}

private func row(_ t: Transformation, _ input: [UInt8], _ expected: [UInt8], _ why: String) -> TransformationCase {
    TransformationCase(transformation: t, input: input, expected: expected, why: why)
}

private func row(_ t: Transformation, _ input: String, _ expected: String, _ why: String) -> TransformationCase {
    row(t, b(input), b(expected), why)
}

private func row(_ t: Transformation, _ input: String, _ expected: [UInt8], _ why: String) -> TransformationCase {
    row(t, b(input), expected, why)
}

// MARK: - Tables, one per transformation

private let urlDecodeRows: [TransformationCase] = [
    row(.urlDecode, "", "", "empty"),
    row(.urlDecode, "plain text", "plain text", "nothing to decode"),
    row(.urlDecode, "%27%20OR%201=1", "' OR 1=1", "encoded SQL injection"),
    row(.urlDecode, "%2527", "%27", "double encoding: one layer per pass"),
    row(.urlDecode, "%4a%4A%4b", "JJK", "mixed-case hex digits"),
    row(.urlDecode, "a+b++c", "a b  c", "plus is a space"),
    row(.urlDecode, "%2B", "+", "an encoded plus stays a plus"),
    row(.urlDecode, "SEL%0bECT", "SEL\u{0B}ECT", "vertical tab inside a keyword"),
    row(.urlDecode, "SEL%00ECT", [0x53, 0x45, 0x4C, 0x00, 0x45, 0x43, 0x54], "encoded NUL"),
    row(.urlDecode, b("%c0%af"), [0xC0, 0xAF], "overlong UTF-8 stays raw bytes"),
    row(.urlDecode, b("%ff%FE"), [0xFF, 0xFE], "high bytes"),
    row(.urlDecode, "%u0027", "%u0027", "IIS %u is not url_decode's"),
    row(.urlDecode, "%", "%", "lone % at the end"),
    row(.urlDecode, "%4", "%4", "truncated escape at the end"),
    row(.urlDecode, "a%", "a%", "% as last byte"),
    row(.urlDecode, "%zz%4g", "%zz%4g", "invalid hex kept"),
    row(.urlDecode, "%%41", "%A", "invalid % then a valid escape"),
    row(.urlDecode, "%%32%37", "%27", "nested-escape noise decodes one layer"),
]

private let urlDecodeUniRows: [TransformationCase] = [
    row(.urlDecodeUni, "", "", "empty"),
    row(.urlDecodeUni, "abc", "abc", "nothing to decode"),
    row(.urlDecodeUni, "%u0027", "'", "IIS %u escape"),
    row(.urlDecodeUni, "%U0027", "'", "uppercase U"),
    row(.urlDecodeUni, "%uff1cscript%uFF1E", "<script>", "full-width < and > map to ASCII"),
    row(.urlDecodeUni, "%uFF35NION", "UNION", "full-width letter"),
    row(.urlDecodeUni, "%uff5e", "~", "last full-width ASCII"),
    row(.urlDecodeUni, "%uff5f", "_", "past full-width ASCII: low byte only"),
    row(.urlDecodeUni, b("%u2215"), [0x15], "other code points: low byte"),
    row(.urlDecodeUni, b("%uff00"), [0x00], "U+FF00 is not shifted"),
    row(.urlDecodeUni, "%41+%2527", "A %27", "ordinary escapes and plus still work"),
    row(.urlDecodeUni, "%u", "%u", "%u at the end"),
    row(.urlDecodeUni, "%u00", "%u00", "truncated %u"),
    row(.urlDecodeUni, "%u12x4", "%u12x4", "invalid %u kept"),
    row(.urlDecodeUni, "%u%41", "%uA", "invalid %u then a valid escape"),
    row(.urlDecodeUni, "%", "%", "lone %"),
    row(.urlDecodeUni, "%4", "%4", "truncated escape"),
    row(.urlDecodeUni, b("%c0%af"), [0xC0, 0xAF], "overlong UTF-8 stays raw bytes"),
]

private let htmlEntityDecodeRows: [TransformationCase] = [
    row(.htmlEntityDecode, "", "", "empty"),
    row(.htmlEntityDecode, "a & b", "a & b", "bare ampersand"),
    row(.htmlEntityDecode, "&lt;script&gt;", "<script>", "named entities"),
    row(.htmlEntityDecode, "&LT;ScRiPt&Gt;", "<ScRiPt>", "entity names are case-insensitive"),
    row(.htmlEntityDecode, "&quot;&amp;&apos;", "\"&'", "quot, amp, apos"),
    row(.htmlEntityDecode, b("&nbsp;"), [0xA0], "nbsp is 0xA0"),
    row(.htmlEntityDecode, "&#39;", "'", "decimal"),
    row(.htmlEntityDecode, "&#39", "'", "decimal without ;"),
    row(.htmlEntityDecode, "&#x27;", "'", "hex"),
    row(.htmlEntityDecode, "&#X27", "'", "hex, uppercase X, without ;"),
    row(.htmlEntityDecode, "&#x6a;avascript:", "javascript:", "encoded javascript: scheme"),
    row(.htmlEntityDecode, "&#0000106;&#x00006A;", "jj", "zero padding"),
    row(.htmlEntityDecode, "&#60&#62", "<>", "adjacent entities without ;"),
    row(.htmlEntityDecode, "&#321;", "A", "numbers beyond a byte keep the low byte"),
    row(.htmlEntityDecode, "&amp;lt;", "&lt;", "double encoding: one layer per pass"),
    row(.htmlEntityDecode, "&lt", "<", "named entity at the end without ;"),
    row(.htmlEntityDecode, "&ltx;", "&ltx;", "unknown longer name kept"),
    row(.htmlEntityDecode, "&foo;", "&foo;", "unknown entity kept"),
    row(.htmlEntityDecode, "&", "&", "lone & at the end"),
    row(.htmlEntityDecode, "&#", "&#", "truncated numeric entity"),
    row(.htmlEntityDecode, "&#x", "&#x", "truncated hex entity"),
    row(.htmlEntityDecode, "&#x;&#;", "&#x;&#;", "entities without digits kept"),
    row(.htmlEntityDecode, b("&#0;"), [0x00], "NUL entity"),
]

private let jsDecodeRows: [TransformationCase] = [
    row(.jsDecode, "", "", "empty"),
    row(.jsDecode, "alert(1)", "alert(1)", "nothing to decode"),
    row(.jsDecode, "\\x3cscript\\x3E", "<script>", "\\xHH, either case"),
    row(.jsDecode, "\\u0061lert", "alert", "\\uHHHH"),
    row(.jsDecode, "\\u003C\\uff1c", "<<", "\\uHHHH and full-width"),
    row(.jsDecode, b("\\u2028"), [0x28], "low byte of other code points"),
    row(.jsDecode, "\\101\\1010", "AA0", "octal, at most three digits"),
    row(.jsDecode, "\\477", "'7", "three octal digits above \\377 take two"),
    row(.jsDecode, b("\\0"), [0x00], "\\0 is NUL"),
    row(.jsDecode, b("\\n\\t\\r\\b\\f\\v\\a"), [0x0A, 0x09, 0x0D, 0x08, 0x0C, 0x0B, 0x07], "C escapes"),
    row(.jsDecode, "\\c\\'\\\"\\\\\\8", "c'\"\\8", "other escapes drop the backslash"),
    row(.jsDecode, "\\X41", "X41", "\\X is not \\x"),
    row(.jsDecode, "\\x4", "x4", "truncated \\x at the end"),
    row(.jsDecode, "\\x", "x", "\\x at the end"),
    row(.jsDecode, "\\u12", "u12", "truncated \\u"),
    row(.jsDecode, "\\xzz", "xzz", "invalid \\x"),
    row(.jsDecode, "\\", "\\", "lone backslash at the end"),
    row(.jsDecode, "a\\", "a\\", "backslash as last byte"),
]

private let cssDecodeRows: [TransformationCase] = [
    row(.cssDecode, "", "", "empty"),
    row(.cssDecode, "color: red", "color: red", "nothing to decode"),
    row(.cssDecode, "\\6a avascript:", "javascript:", "hex escape eats one following space"),
    row(.cssDecode, "exp\\72 ession(", "expression(", "escape inside a keyword"),
    row(.cssDecode, "\\000065xpression", "expression", "six hex digits"),
    row(.cssDecode, "\\41\tB", "AB", "tab after an escape belongs to it"),
    row(.cssDecode, "\\41  B", "A B", "only one space is eaten"),
    row(.cssDecode, "\\ff1c\\0ff1c\\00ff1c", "<<<", "full-width < in four, five and six digits"),
    row(.cssDecode, "\\1234567", "V7", "more than six digits: the rest is text"),
    row(.cssDecode, b("\\a"), [0x0A], "\\a is hex 0A, not a"),
    row(.cssDecode, "\\g\\\\", "g\\", "non-hex escapes drop the backslash"),
    row(.cssDecode, "a\\\nb", "ab", "escaped newline is a continuation"),
    row(.cssDecode, "a\\", "a", "trailing backslash removed"),
    row(.cssDecode, "\\", "", "lone backslash"),
    row(.cssDecode, b("\\0"), [0x00], "NUL escape"),
]

private let base64DecodeRows: [TransformationCase] = [
    row(.base64Decode, "", "", "empty"),
    row(.base64Decode, "QUJD", "ABC", "one group"),
    row(.base64Decode, "PHNjcmlwdD4=", "<script>", "padded"),
    row(.base64Decode, "PHNjcmlwdD4", "<script>", "padding omitted"),
    row(.base64Decode, "PHNj cmlw\ndD4=", "<script>", "whitespace skipped"),
    row(.base64Decode, "P.H.N.j", "<sc", "junk between digits skipped"),
    row(.base64Decode, "Pz8/", "???", "standard alphabet"),
    row(.base64Decode, "Pz8_", "???", "URL-safe alphabet"),
    row(.base64Decode, "YWJj ZA==", "abcd", "two pads"),
    row(.base64Decode, "QQ", "A", "partial group"),
    row(.base64Decode, "Q", "", "lone sextet yields nothing"),
    row(.base64Decode, "Q=", "", "pad after a lone sextet: invalid"),
    row(.base64Decode, "QUJDQ==", "", "pad after a lone sextet at the end: invalid"),
    row(.base64Decode, "!!!", "", "no digits at all"),
    row(.base64Decode, b("AA=="), [0x00], "decodes to NUL"),
]

private let hexDecodeRows: [TransformationCase] = [
    row(.hexDecode, "", "", "empty"),
    row(.hexDecode, "414243", "ABC", "pairs"),
    row(.hexDecode, "3c7363726970743E", "<script>", "mixed case"),
    row(.hexDecode, "41424", "AB", "trailing odd digit dropped"),
    row(.hexDecode, "4", "", "single digit"),
    row(.hexDecode, "zz41", "zzA", "invalid pair kept"),
    row(.hexDecode, b("00ff"), [0x00, 0xFF], "NUL and high byte"),
    row(.hexDecode, "zzzz", "zzzz", "no pair to decode"),
    row(.hexDecode, "zz4", "zz", "no pair, odd: the last byte dropped"),
    row(.hexDecode, "z41z", "z41z", "digits straddling two pairs stay"),
    row(.hexDecode, "zzz41", "zzz4", "odd, digits straddling pairs: only the last byte dropped"),
    row(.hexDecode, "zz414", "zzA", "odd with a pair after plain ones"),
]

private let lowercaseRows: [TransformationCase] = [
    row(.lowercase, "", "", "empty"),
    row(.lowercase, "union select", "union select", "already lowercase"),
    row(.lowercase, "UnIoN SeLeCt", "union select", "mixed case"),
    row(.lowercase, "AZ@[`{", "az@[`{", "only A–Z change"),
    row(.lowercase, [0xC3, 0x89, 0x41, 0xC0], [0xC3, 0x89, 0x61, 0xC0], "bytes ≥ 0x80 untouched"),
    row(.lowercase, [0x00, 0x41], [0x00, 0x61], "NUL untouched"),
]

private let uppercaseRows: [TransformationCase] = [
    row(.uppercase, "", "", "empty"),
    row(.uppercase, "UNION", "UNION", "already uppercase"),
    row(.uppercase, "UnIoN SeLeCt", "UNION SELECT", "mixed case"),
    row(.uppercase, "az@[`{", "AZ@[`{", "only a–z change"),
    row(.uppercase, [0xC3, 0xA9, 0x61, 0xE0], [0xC3, 0xA9, 0x41, 0xE0], "bytes ≥ 0x80 untouched"),
]

private let compressWhitespaceRows: [TransformationCase] = [
    row(.compressWhitespace, "", "", "empty"),
    row(.compressWhitespace, "a b c", "a b c", "single spaces stay"),
    row(.compressWhitespace, "UNION \t\n SELECT", "UNION SELECT", "mixed run"),
    row(.compressWhitespace, "SEL\u{0B}ECT", "SEL ECT", "vertical tab becomes a space"),
    row(.compressWhitespace, "a\u{0C}\rb", "a b", "form feed and CR"),
    row(.compressWhitespace, [0x41, 0xA0, 0xA0, 0x42], b("A B"), "non-breaking spaces"),
    row(.compressWhitespace, "  a  ", " a ", "ends keep one space"),
    row(.compressWhitespace, "\r\n", " ", "only whitespace"),
    row(.compressWhitespace, [0x61, 0x00, 0x85, 0x62], [0x61, 0x00, 0x85, 0x62], "NUL and 0x85 are not whitespace"),
]

private let removeWhitespaceRows: [TransformationCase] = [
    row(.removeWhitespace, "", "", "empty"),
    row(.removeWhitespace, "abc", "abc", "nothing to remove"),
    row(.removeWhitespace, "java script:", "javascript:", "split keyword"),
    row(.removeWhitespace, "j\ta\nv\u{0B}a\u{0C}s\rc", "javasc", "every kind"),
    row(.removeWhitespace, [0xA0, 0x61, 0xA0], b("a"), "non-breaking spaces"),
    row(.removeWhitespace, "   ", "", "only whitespace"),
]

private let trimRows: [TransformationCase] = [
    row(.trim, "", "", "empty"),
    row(.trim, "admin", "admin", "nothing to trim"),
    row(.trim, "  admin \t", "admin", "both ends"),
    row(.trim, " a b ", "a b", "inner space kept"),
    row(.trim, "\u{0B}x\u{0C}\n", "x", "vertical tab, form feed, newline"),
    row(.trim, "   ", "", "only whitespace"),
    row(.trim, [0xA0, 0x61], [0xA0, 0x61], "0xA0 is not isspace"),
]

private let removeNullsRows: [TransformationCase] = [
    row(.removeNulls, "", "", "empty"),
    row(.removeNulls, "abc", "abc", "nothing to remove"),
    row(.removeNulls, [0x53, 0x45, 0x4C, 0x00, 0x45, 0x43, 0x54], b("SELECT"), "NUL inside a keyword"),
    row(.removeNulls, [0x00, 0x00, 0x61, 0x00], b("a"), "several NULs"),
    row(.removeNulls, [0x00], [], "only NUL"),
]

private let replaceNullsRows: [TransformationCase] = [
    row(.replaceNulls, "", "", "empty"),
    row(.replaceNulls, "abc", "abc", "nothing to replace"),
    row(.replaceNulls, b("UNION") + [0x00] + b("SELECT"), b("UNION SELECT"), "NUL as separator"),
    row(.replaceNulls, [0x00, 0x00], b("  "), "each NUL becomes a space"),
]

private let removeCommentsRows: [TransformationCase] = [
    row(.removeComments, "", "", "empty"),
    row(.removeComments, "a*/b a-b", "a*/b a-b", "nothing that opens a comment"),
    row(.removeComments, "UN/**/ION", "UNION", "empty C comment inside a keyword"),
    row(.removeComments, "UN/*foo*/ION SEL/*x*/ECT", "UNION SELECT", "C comments with text"),
    row(.removeComments, "1/*!50000UNION*/SELECT", "1SELECT", "MySQL versioned comment removed whole"),
    row(.removeComments, "/**//**/x", "x", "adjacent comments"),
    row(.removeComments, "a/* unterminated", "a ", "open comment becomes one space"),
    row(.removeComments, "/*", " ", "only an opener"),
    row(.removeComments, "<scr<!-- x -->ipt>", "<script>", "HTML comment"),
    row(.removeComments, "<!--", " ", "open HTML comment"),
    row(.removeComments, "a/*b-->c", "ac", "either closer ends a comment"),
    row(.removeComments, "1 OR 1=1-- -", "1 OR 1=1", "SQL -- comment"),
    row(.removeComments, "1 OR 1=1 # x", "1 OR 1=1 ", "# comment"),
    row(.removeComments, "a -- x\nUNION SELECT", "a \nUNION SELECT", "-- ends at the newline"),
    row(.removeComments, "a#b\nc#d", "a\nc", "# ends at the newline"),
]

private let replaceCommentsRows: [TransformationCase] = [
    row(.replaceComments, "", "", "empty"),
    row(.replaceComments, "a--b#c*/<!--", "a--b#c*/<!--", "only /* */ counts"),
    row(.replaceComments, "UNION/**/SELECT", "UNION SELECT", "comment as whitespace"),
    row(.replaceComments, "UN/*x*/ION", "UN ION", "comment inside a keyword becomes a space"),
    row(.replaceComments, "/**//**/", "  ", "one space per comment"),
    row(.replaceComments, "a/* open", "a ", "open comment becomes one space"),
    row(.replaceComments, "/*", " ", "only an opener"),
]

private let cmdLineRows: [TransformationCase] = [
    row(.cmdLine, "", "", "empty"),
    row(.cmdLine, "ls -la", "ls -la", "nothing to change"),
    row(.cmdLine, "c^at /et\"c\"/pa''ss\\wd", "cat/etc/passwd", "quotes, carets, backslashes; space before /"),
    row(.cmdLine, "w\\h\\o\\a\\m\\i", "whoami", "backslash noise"),
    row(.cmdLine, "WhoAmI", "whoami", "lowercased"),
    row(.cmdLine, "cmd.exe /c dir", "cmd.exe/c dir", "space before a switch"),
    row(.cmdLine, "ping  ,;\t\r\n host", "ping host", "separators collapse"),
    row(.cmdLine, ";ls", " ls", "leading separator"),
    row(.cmdLine, "echo (a)", "echo(a)", "space before ("),
    row(.cmdLine, "a , /b", "a/b", "collapsed space before /"),
    row(.cmdLine, "a \"/b", "a/b", "deleted quote between space and /"),
    row(.cmdLine, "a  ", "a ", "trailing run"),
]

private let normalizePathRows: [TransformationCase] = [
    row(.normalizePath, "", "", "empty"),
    row(.normalizePath, "/foo/bar/baz", "/foo/bar/baz", "already normal"),
    row(.normalizePath, "x", "x", "single name"),
    row(.normalizePath, "/", "/", "root"),
    row(.normalizePath, "a/b/", "a/b/", "trailing slash kept"),
    row(.normalizePath, ".", "", "dot"),
    row(.normalizePath, "./", "", "dot slash"),
    row(.normalizePath, "./..", "..", "dot then dot-dot"),
    row(.normalizePath, "./../", "../", "dot then dot-dot, trailing slash"),
    row(.normalizePath, "..", "..", "relative dot-dot kept"),
    row(.normalizePath, "../", "../", "relative dot-dot slash kept"),
    row(.normalizePath, "../.", "..", "dot after dot-dot"),
    row(.normalizePath, "../..", "../..", "leading dot-dots kept"),
    row(.normalizePath, "/dir/foo//bar", "/dir/foo/bar", "double slash"),
    row(.normalizePath, "dir/foo//bar/", "dir/foo/bar/", "double slash, trailing slash"),
    row(.normalizePath, "dir/../foo", "foo", "pop"),
    row(.normalizePath, "dir/../../foo", "../foo", "pop then climb"),
    row(.normalizePath, "dir/./.././../../foo/bar", "../../foo/bar", "mixed"),
    row(.normalizePath, "dir/./.././../../foo/bar/.", "../../foo/bar", "trailing dot"),
    row(.normalizePath, "dir/./.././../../foo/bar/./", "../../foo/bar/", "trailing dot slash"),
    row(.normalizePath, "dir/./.././../../foo/bar/..", "../../foo", "trailing dot-dot"),
    row(.normalizePath, "dir//.//..//.//..//..//foo//bar//", "../../foo/bar/", "doubled everything"),
    row(.normalizePath, "dir/subdir/subsubdir/subsubsubdir/../../..", "dir", "deep pop"),
    row(.normalizePath, "/dir/./subdir/../subsubdir/../subsubsubdir/../", "/dir/", "absolute with trailing slash"),
    row(.normalizePath, b("/./.././../../../../../../") + [0x00] + b("/../etc/./passwd"), b("/etc/passwd"),
        "not above root; NUL segment popped"),
    row(.normalizePath, "/app/./../../etc//passwd", "/etc/passwd", "traversal"),
    row(.normalizePath, "/a/..", "/", "back to root"),
    row(.normalizePath, "/a/../", "/", "back to root, trailing slash"),
    row(.normalizePath, "//", "/", "root spelled twice"),
    row(.normalizePath, "/.%2e/x", "/.%2e/x", "encoded dots are names (decode first)"),
]

private let normalizePathWinRows: [TransformationCase] = [
    row(.normalizePathWin, "", "", "empty"),
    row(.normalizePathWin, "a/b", "a/b", "already normal"),
    row(.normalizePathWin, "..\\..\\windows\\win.ini", "../../windows/win.ini", "backslashes"),
    row(.normalizePathWin, "C:\\inetpub\\..\\windows", "C:/windows", "drive path"),
    row(.normalizePathWin, "\\a\\.\\b\\", "/a/b/", "rooted with trailing backslash"),
    row(.normalizePathWin, "/scripts/..\\../winnt", "/winnt", "mixed separators"),
    row(.normalizePathWin, "/a\\..\\..\\etc", "/etc", "not above root"),
]

private let lengthRows: [TransformationCase] = [
    row(.length, "", "0", "empty"),
    row(.length, "abc", "3", "short"),
    row(.length, "0123456789", "10", "two digits"),
    row(.length, [UInt8](repeating: 0x41, count: 1234), b("1234"), "four digits"),
    row(.length, [0x00, 0xFF], b("2"), "bytes, not characters"),
    row(.length, [0xC3, 0xA9], b("2"), "UTF-8 counts bytes"),
]

private let utf8ToUnicodeRows: [TransformationCase] = [
    row(.utf8ToUnicode, "", "", "empty"),
    row(.utf8ToUnicode, "abc", "abc", "ASCII unchanged"),
    row(.utf8ToUnicode, [0xC3, 0xA9], b("%u00e9"), "two-byte sequence"),
    row(.utf8ToUnicode, b("a") + [0xC3, 0xA9] + b("b"), b("a%u00e9b"), "inside ASCII"),
    row(.utf8ToUnicode, [0xE2, 0x80, 0xA8], b("%u2028"), "three-byte sequence"),
    row(.utf8ToUnicode, [0xEF, 0xBC, 0x9C], b("%uff1c"), "full-width <"),
    row(.utf8ToUnicode, [0xF0, 0x9F, 0x98, 0x80], b("%u1f600"), "four-byte sequence"),
    row(.utf8ToUnicode, [0xC0, 0xAF], b("%u002f"), "overlong / (two bytes)"),
    row(.utf8ToUnicode, [0xE0, 0x80, 0xAF], b("%u002f"), "overlong / (three bytes)"),
    row(.utf8ToUnicode, [0xC0, 0x80], b("%u0000"), "overlong NUL"),
    row(.utf8ToUnicode, [0xED, 0xA0, 0x80], b("%ud800"), "surrogate"),
    row(.utf8ToUnicode, [0x61, 0xC3], [0x61, 0xC3], "truncated at the end"),
    row(.utf8ToUnicode, [0xC3, 0x41], [0xC3, 0x41], "missing continuation"),
    row(.utf8ToUnicode, [0x80, 0xFF], [0x80, 0xFF], "bytes that start nothing"),
]

private let sha1Rows: [TransformationCase] = [
    row(.sha1, [], hex("da39a3ee5e6b4b0d3255bfef95601890afd80709"), "empty"),
    row(.sha1, b("abc"), hex("a9993e364706816aba3e25717850c26c9cd0d89d"), "FIPS 180 abc"),
    row(.sha1, b("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
        hex("84983e441c3bd26ebaae4aa1f95129e5e54670f1"), "FIPS 180 two blocks"),
    row(.sha1, b("The quick brown fox jumps over the lazy dog"),
        hex("2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"), "quick brown fox"),
    row(.sha1, [UInt8](repeating: 0x61, count: 55), hex("c1c8bbdc22796e28c0e15163d20899b65621d65a"),
        "55 bytes: padding fits one block"),
    row(.sha1, [UInt8](repeating: 0x61, count: 56), hex("c2db330f6083854c99d4b5bfb6e8f29f201be699"),
        "56 bytes: padding needs a second block"),
    row(.sha1, [UInt8](repeating: 0x61, count: 64), hex("0098ba824b5c16427bd7a1122a5a442a25ec644d"),
        "exactly one block"),
    row(.sha1, [UInt8](repeating: 0x61, count: 1_000_000), hex("34aa973cd4c4daa4f61eeb2bdbad27316534016f"),
        "a million a"),
]

private let md5Rows: [TransformationCase] = [
    row(.md5, [], hex("d41d8cd98f00b204e9800998ecf8427e"), "empty"),
    row(.md5, b("abc"), hex("900150983cd24fb0d6963f7d28e17f72"), "RFC 1321 abc"),
    row(.md5, b("The quick brown fox jumps over the lazy dog"),
        hex("9e107d9d372bb6826bd81d3542a419d6"), "quick brown fox"),
    row(.md5, b("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
        hex("8215ef0796a20bcaaae116d3876c664a"), "56 bytes"),
    row(.md5, [UInt8](repeating: 0x61, count: 55), hex("ef1772b6dff9a122358552954ad0df65"),
        "55 bytes: padding fits one block"),
    row(.md5, [UInt8](repeating: 0x61, count: 64), hex("014842d480b571495a4a0363793f7367"),
        "exactly one block"),
    row(.md5, [UInt8](repeating: 0x61, count: 1_000_000), hex("7707d6ae4e027c70eea2a935c2296f21"),
        "a million a"),
]

/// Every table by transformation. A transformation missing here fails `everyTransformationHasATable`.
private let tables: [Transformation: [TransformationCase]] = [
    .urlDecode: urlDecodeRows,
    .urlDecodeUni: urlDecodeUniRows,
    .htmlEntityDecode: htmlEntityDecodeRows,
    .jsDecode: jsDecodeRows,
    .cssDecode: cssDecodeRows,
    .base64Decode: base64DecodeRows,
    .hexDecode: hexDecodeRows,
    .lowercase: lowercaseRows,
    .uppercase: uppercaseRows,
    .compressWhitespace: compressWhitespaceRows,
    .removeWhitespace: removeWhitespaceRows,
    .removeNulls: removeNullsRows,
    .replaceNulls: replaceNullsRows,
    .removeComments: removeCommentsRows,
    .replaceComments: replaceCommentsRows,
    .cmdLine: cmdLineRows,
    .normalizePath: normalizePathRows,
    .normalizePathWin: normalizePathWinRows,
    .trim: trimRows,
    .length: lengthRows,
    .utf8ToUnicode: utf8ToUnicodeRows,
    .sha1: sha1Rows,
    .md5: md5Rows,
]

private let allRows: [TransformationCase] = Transformation.allCases.flatMap { tables[$0] ?? [] }

private let chainRows: [TransformationChainCase] = [
    // The DESIGN's example rule: url_decode, html_entity_decode, lowercase, compress_whitespace.
    TransformationChainCase(chain: [.urlDecode, .htmlEntityDecode, .lowercase, .compressWhitespace],
                            input: b("1%20UNION%20ALL%20SELECT%20password"), expected: b("1 union all select password")),
    TransformationChainCase(chain: [.urlDecode, .htmlEntityDecode, .lowercase, .compressWhitespace],
                            input: b("1+UnIoN%0b%0b%09SeLeCt"), expected: b("1 union select")),
    TransformationChainCase(chain: [.urlDecode, .htmlEntityDecode, .lowercase, .compressWhitespace],
                            input: b("&#x55;NION%09%0A&#83;ELECT"), expected: b("union select")),
    TransformationChainCase(chain: [.urlDecode, .htmlEntityDecode, .lowercase, .compressWhitespace],
                            input: b("%26lt%3BSCRIPT%26gt%3B"), expected: b("<script>")),
    TransformationChainCase(chain: [.urlDecode, .htmlEntityDecode, .lowercase, .compressWhitespace],
                            input: b("union+station"), expected: b("union station")),
    TransformationChainCase(chain: [.urlDecode, .urlDecode], input: b("%2527"), expected: b("'")),
    TransformationChainCase(chain: [.urlDecode, .urlDecode], input: b("%252e%252e%252f"), expected: b("../")),
    TransformationChainCase(chain: [.urlDecodeUni, .lowercase], input: b("%uFF35NION"), expected: b("union")),
    TransformationChainCase(chain: [.urlDecode, .utf8ToUnicode], input: b("%c0%af"), expected: b("%u002f")),
    TransformationChainCase(chain: [.urlDecode, .removeComments, .lowercase],
                            input: b("UN%2F**%2FION"), expected: b("union")),
    TransformationChainCase(chain: [.urlDecode, .removeNulls], input: b("SEL%00ECT"), expected: b("SELECT")),
    TransformationChainCase(chain: [.urlDecode, .normalizePath],
                            input: b("/a/%2e%2e/%2e%2e/etc/passwd"), expected: b("/etc/passwd")),
    TransformationChainCase(chain: [.base64Decode, .htmlEntityDecode, .lowercase],
                            input: b("Jmx0O1NDUklQVCZndDs="), expected: b("<script>")),
    TransformationChainCase(chain: [.length], input: [], expected: b("0")),
    TransformationChainCase(chain: [], input: b("As Is"), expected: b("As Is")),
]

// MARK: - Tests

/// Named so that `swift test --filter TransformationTests` selects exactly these.
@Suite struct TransformationTests {
    @Test("transformation table", arguments: allRows)
    func transformationCase(_ row: TransformationCase) {
        #expect(row.transformation.apply(row.input) == row.expected)
    }

    @Test("transformation chain", arguments: chainRows)
    func transformationChain(_ row: TransformationChainCase) {
        let result = row.chain.reduce(row.input) { value, t in t.apply(value) }
        #expect(result == row.expected)
    }

    /// The harness cannot pass by skipping: every transformation has rows, and rows run.
    @Test func everyTransformationHasATable() {
        for t in Transformation.allCases {
            let rows = tables[t] ?? []
            #expect(rows.count >= 4, "\(t.rawValue) has \(rows.count) rows")
            #expect(rows.allSatisfy { $0.transformation == t }, "\(t.rawValue)'s table holds another transformation's row")
            #expect(rows.contains { $0.input.isEmpty }, "\(t.rawValue) has no empty-input row")
        }
        #expect(tables.count == Transformation.allCases.count)
        #expect(allRows.count > 200)
        #expect(chainRows.count > 0)
    }

    /// Raw names are the rule language's spelling and must not drift.
    @Test func rawNamesRoundTrip() {
        for t in Transformation.allCases {
            #expect(Transformation(rawValue: t.rawValue) == t)
        }
        #expect(Transformation(rawValue: "url_decode") == .urlDecode)
        #expect(Transformation(rawValue: "normalize_path_win") == .normalizePathWin)
    }

    /// A value that needs no change comes back as the same storage: no copy on the hot path.
    @Test("unchanged input is not copied", arguments: [
        (Transformation.urlDecode, "plain"), (.urlDecodeUni, "plain"), (.htmlEntityDecode, "plain"),
        (.jsDecode, "plain"), (.cssDecode, "plain"), (.lowercase, "plain"), (.uppercase, "PLAIN"),
        (.compressWhitespace, "a b"), (.removeWhitespace, "ab"), (.trim, "a b"), (.removeNulls, "ab"),
        (.replaceNulls, "ab"), (.removeComments, "a-b*/"), (.replaceComments, "a--b"), (.cmdLine, "ls -la"),
        (.normalizePath, "/a/b/"), (.normalizePath, "../../a"), (.normalizePathWin, "/a/b"),
        (.utf8ToUnicode, "plain"), (.hexDecode, "zz"), (.hexDecode, ""),
    ])
    func unchangedInputIsNotCopied(_ t: Transformation, _ text: String) {
        let input = b(text)
        let output = t.apply(input)
        #expect(output == input)
        let same = input.withUnsafeBufferPointer { i in
            output.withUnsafeBufferPointer { o in i.baseAddress == o.baseAddress }
        }
        #expect(same, "\(t.rawValue) copied an unchanged value")
    }

    /// Seeded random bytes biased towards escape characters: no transformation may trap, and output
    /// lengths stay within what each one can produce.
    @Test func randomInputsStayInBounds() {
        var rng = SplitMix64(seed: 0x5EED_CAFE)
        let alphabet = b("%uU+&#;xX\\/*-<!>=.0189aAfFzZ \t\n") + [0x00, 0x0B, 0xA0, 0xC0, 0xC3, 0xE0, 0xEF, 0xF0, 0x80, 0xAF, 0xFF]
        for _ in 0..<2_000 {
            let count = Int(rng.next() % 40)
            let input = (0..<count).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            for t in Transformation.allCases {
                let output = t.apply(input)
                switch t {
                case .utf8ToUnicode: #expect(output.count <= input.count * 3)
                case .sha1: #expect(output.count == 20)
                case .md5: #expect(output.count == 16)
                case .length: #expect(output == b(String(input.count)))
                case .removeComments, .replaceComments, .normalizePath, .normalizePathWin:
                    #expect(output.count <= max(input.count, 1))
                default: #expect(output.count <= input.count)
                }
            }
        }
    }

    /// The group-at-a-time Base64 decoder agrees with a sextet-at-a-time one on random values
    /// that mix digits of both alphabets, pads and skipped bytes at every alignment.
    @Test func base64AgreesWithASextetAtATimeDecoder() {
        var rng = SplitMix64(seed: 0xB64)
        let alphabet = b("QUJDazAZ09+/-_=.\n &%") + [0x00, 0x80, 0xFF]
        for _ in 0..<5_000 {
            let count = Int(rng.next() % 48)
            // Mostly digits, so runs of four alternate with skipped bytes.
            let input = (0..<count).map { _ in
                alphabet[Int(rng.next() % (rng.next() % 4 == 0 ? UInt64(alphabet.count) : 14))]
            }
            #expect(Transformation.base64Decode.apply(input) == referenceBase64Decode(input), "\(input)")
        }
    }

    /// The skipping scans that find where a rewrite must start agree with whole-value reference
    /// rewrites (one plain pass from the first byte) on random values dense in openers, closers,
    /// separators and whitespace, at every alignment within a word.
    @Test func rewriteStartsAgreeWithReferences() {
        var rng = SplitMix64(seed: 0x5CA7)
        let alphabet = b("/*-#<!>aZ ;,\\\"'^(\t\r\n") + [0x0B, 0xA0, 0x00]
        for _ in 0..<8_000 {
            let count = Int(rng.next() % 40)
            let input = (0..<count).map { _ in
                rng.next() % 3 == 0 ? alphabet[Int(rng.next() % UInt64(alphabet.count))] : UInt8(ascii: "x")
            }
            #expect(Transformation.removeComments.apply(input) == referenceRemoveComments(input), "\(input)")
            #expect(Transformation.replaceComments.apply(input) == referenceReplaceComments(input), "\(input)")
            #expect(Transformation.compressWhitespace.apply(input) == referenceCompressWhitespace(input), "\(input)")
            #expect(Transformation.cmdLine.apply(input) == referenceCmdLine(input), "\(input)")
        }
        let hexAlphabet = b("09afAFgz%")
        for _ in 0..<4_000 {
            let count = Int(rng.next() % 24)
            let input = (0..<count).map { _ in hexAlphabet[Int(rng.next() % UInt64(hexAlphabet.count))] }
            #expect(Transformation.hexDecode.apply(input) == referenceHexDecode(input), "\(input)")
        }
    }

    /// The eight-bytes-a-step case folding agrees with folding byte by byte, on random values
    /// dense in the bytes around both letter ranges and in high bytes whose low seven bits are
    /// letters.
    @Test func caseFoldingAgreesWithBytewise() {
        var rng = SplitMix64(seed: 0xCA5E)
        let alphabet: [UInt8] = [0x40, 0x41, 0x4D, 0x5A, 0x5B, 0x60, 0x61, 0x6D, 0x7A, 0x7B, 0x7F, 0x80,
                                 0xC1, 0xDA, 0xE1, 0xFA, 0xFF, 0x00, 0x20, 0x2F]
        for _ in 0..<5_000 {
            let count = Int(rng.next() % 40)
            let input = (0..<count).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            #expect(Transformation.lowercase.apply(input) == input.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 })
            #expect(Transformation.uppercase.apply(input) == input.map { $0 >= 0x61 && $0 <= 0x7A ? $0 & ~0x20 : $0 })
        }
    }

    /// Every byte's entry in the decoder's digit table: four of it decode as the reference says.
    @Test func base64DigitTableAgreesForEveryByte() {
        for byte in 0...255 {
            let input = [UInt8](repeating: UInt8(byte), count: 4)
            #expect(Transformation.base64Decode.apply(input) == referenceBase64Decode(input), "byte \(byte)")
        }
    }

    /// The word-at-a-time scans behind the no-copy fast path agree with a byte-by-byte search at
    /// every offset, including hits in the word part, the tail, and bytes ≥ 0x80 next to hits.
    @Test func wordScansAgreeWithByteScans() {
        var rng = SplitMix64(seed: 0xF00D)
        let alphabet: [UInt8] = [0x00, 0x09, 0x0D, 0x20, 0x21, 0x25, 0x2B, 0x40, 0x41, 0x5A, 0x5B, 0x60, 0x61,
                                 0x7A, 0x7B, 0x7F, 0x80, 0x9F, 0xA0, 0xC1, 0xDA, 0xE1, 0xFA, 0xFF]
        for _ in 0..<5_000 {
            let count = Int(rng.next() % 40)
            let input = (0..<count).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let x = alphabet[Int(rng.next() % UInt64(alphabet.count))]
            let y = alphabet[Int(rng.next() % UInt64(alphabet.count))]
            #expect(Transformations.firstIndex(of: x, in: input) == input.firstIndex(of: x))
            #expect(Transformations.firstIndex(of: x, or: y, in: input) == input.firstIndex { $0 == x || $0 == y })
            for lo in [UInt8(ascii: "A"), UInt8(ascii: "a")] {
                let isLetter: (UInt8) -> Bool = { $0 >= lo && $0 < lo + 26 }
                #expect(Transformations.firstIndex(input, where: isLetter, skipping: {
                    Transformations.mayHaveLetterRange($0, from: lo)
                }) == input.firstIndex(where: isLetter))
            }
            #expect(Transformations.firstIndex(input, where: Transformations.isWhitespace, skipping: {
                Transformations.hasByteBelow($0, 0x21) || Transformations.hasByte($0, 0xA0)
            }) == input.firstIndex(where: Transformations.isWhitespace))
            #expect(Transformations.firstIndex(input, where: { $0 >= 0x80 }, skipping: Transformations.hasHighByte)
                == input.firstIndex { $0 >= 0x80 })
        }
    }
}

/// A small deterministic generator, so a failure reproduces.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// `base64_decode` as documented, one sextet at a time: digits of either alphabet accumulate,
/// `=` is skipped unless it follows a lone sextet (then the value is invalid: empty), other bytes
/// are skipped, and a trailing partial group yields its whole bytes.
private func referenceBase64Decode(_ input: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var acc: UInt32 = 0
    var sextets = 0
    for c in input {
        let v: UInt32
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a")) + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0")) + 52
        case UInt8(ascii: "+"), UInt8(ascii: "-"): v = 62
        case UInt8(ascii: "/"), UInt8(ascii: "_"): v = 63
        case UInt8(ascii: "="):
            if sextets == 1 { return [] }
            continue
        default: continue
        }
        acc = acc << 6 | v
        sextets += 1
        if sextets == 4 {
            out += [UInt8(acc >> 16 & 0xFF), UInt8(acc >> 8 & 0xFF), UInt8(acc & 0xFF)]
            acc = 0
            sextets = 0
        }
    }
    if sextets == 2 { out.append(UInt8(acc >> 4 & 0xFF)) }
    if sextets == 3 { out += [UInt8(acc >> 10 & 0xFF), UInt8(acc >> 2 & 0xFF)] }
    return out
}

private func at(_ s: [UInt8], _ i: Int, _ text: String) -> Bool {
    let t = Array(text.utf8)
    return i + t.count <= s.count && Array(s[i..<(i + t.count)]) == t
}

/// `remove_comments` as documented, in one pass from the start.
private func referenceRemoveComments(_ s: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var i = 0
    var inComment = false
    while i < s.count {
        if inComment {
            if at(s, i, "*/") { inComment = false; i += 2 } else if at(s, i, "-->") { inComment = false; i += 3 } else { i += 1 }
        } else if at(s, i, "/*") {
            inComment = true; i += 2
        } else if at(s, i, "<!--") {
            inComment = true; i += 4
        } else if at(s, i, "--") || at(s, i, "#") {
            while i < s.count && s[i] != UInt8(ascii: "\n") { i += 1 }
        } else {
            out.append(s[i]); i += 1
        }
    }
    if inComment { out.append(UInt8(ascii: " ")) }
    return out
}

/// `replace_comments` as documented, in one pass from the start.
private func referenceReplaceComments(_ s: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var i = 0
    var inComment = false
    while i < s.count {
        if inComment {
            if at(s, i, "*/") { inComment = false; out.append(UInt8(ascii: " ")); i += 2 } else { i += 1 }
        } else if at(s, i, "/*") {
            inComment = true; i += 2
        } else {
            out.append(s[i]); i += 1
        }
    }
    if inComment { out.append(UInt8(ascii: " ")) }
    return out
}

/// `compress_whitespace` as documented: each run of space, `\t \n \v \f \r` and 0xA0 is one space.
private func referenceCompressWhitespace(_ s: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var inRun = false
    for c in s {
        let space = c == 0x20 || (c >= 0x09 && c <= 0x0D) || c == 0xA0
        if space && inRun { continue }
        out.append(space ? UInt8(ascii: " ") : c)
        inRun = space
    }
    return out
}

/// `cmd_line` as documented, in one pass from the start.
private func referenceCmdLine(_ s: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var afterSpace = false
    for c in s {
        switch c {
        case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "^"):
            continue
        case UInt8(ascii: " "), UInt8(ascii: ","), UInt8(ascii: ";"), 0x09, 0x0D, 0x0A:
            if !afterSpace { out.append(UInt8(ascii: " ")) }
            afterSpace = true
        case UInt8(ascii: "/"), UInt8(ascii: "("):
            if afterSpace { out.removeLast() }
            afterSpace = false
            out.append(c)
        default:
            out.append(c >= 0x41 && c <= 0x5A ? c | 0x20 : c)
            afterSpace = false
        }
    }
    return out
}

/// `hex_decode` as documented: pairs of hex digits decode, other pairs stay, an odd last byte goes.
private func referenceHexDecode(_ s: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var i = 0
    while i + 1 < s.count {
        if let hi = UInt8(String(UnicodeScalar(s[i])), radix: 16), let lo = UInt8(String(UnicodeScalar(s[i + 1])), radix: 16) {
            out.append(hi << 4 | lo)
        } else {
            out += [s[i], s[i + 1]]
        }
        i += 2
    }
    return out
}
