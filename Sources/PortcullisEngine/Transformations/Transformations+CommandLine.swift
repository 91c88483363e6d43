// Shell command normalisation, as ModSecurity's `cmdLine`.

extension Transformations {
    /// `cmd_line`: normalises a value the way shells (sh, cmd.exe) see it: deletes `\ " ' ^`,
    /// turns `,` and `;` into spaces, collapses runs of space, `\t \r \n` (and those) into one
    /// space, deletes a space before `/` or `(`, and lowercases ASCII.
    ///
    /// Defeats command-injection obfuscation that shells ignore: `c^at /et"c"/pa''ss\wd`,
    /// `w\h\o\a\m\i`, `;,cmd  /c` and `Ping (…)`, so `cat /etc/passwd` matches however it was
    /// quoted or escaped.
    static func cmdLine(_ input: [UInt8]) -> [UInt8] {
        let start: Int? = input.withUnsafeBufferPointer { s in
            var i = 0
            while i < s.count {
                let c = s[i]
                if c &- UInt8(ascii: "A") < 26 { return i }
                switch cmdClass(c) {
                case .delete:
                    return i
                case .separator:
                    if c != UInt8(ascii: " ") { return i }
                    // A lone space followed by a plain byte stays as it is.
                    if i + 1 < s.count {
                        switch cmdClass(s[i + 1]) {
                        case .separator, .joiner: return i
                        default: break
                        }
                    }
                default:
                    break
                }
                i += 1
            }
            return nil
        }
        guard let start else { return input }
        // Deletions and collapses only shrink; everything else maps one to one.
        return rewrite(input, capacity: input.count) { s, d in
            copyPrefix(s, d, start)
            var o = start
            // The prefix is unchanged, so a pending space is exactly a space just before `start`.
            var afterSpace = start > 0 && s[start - 1] == UInt8(ascii: " ")
            for i in start..<s.count {
                let c = s[i]
                switch cmdClass(c) {
                case .delete:
                    break
                case .separator:
                    if !afterSpace {
                        d[o] = UInt8(ascii: " ")
                        o += 1
                        afterSpace = true
                    }
                case .joiner:
                    if afterSpace { o -= 1 }
                    afterSpace = false
                    d[o] = c
                    o += 1
                case .plain:
                    d[o] = c &- UInt8(ascii: "A") < 26 ? c | 0x20 : c
                    o += 1
                    afterSpace = false
                }
            }
            return o
        }
    }

    private enum CmdClass { case plain, delete, separator, joiner }

    @inline(__always)
    private static func cmdClass(_ c: UInt8) -> CmdClass {
        switch c {
        case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "^"): .delete
        case UInt8(ascii: " "), UInt8(ascii: ","), UInt8(ascii: ";"),
             UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"): .separator
        case UInt8(ascii: "/"), UInt8(ascii: "("): .joiner
        default: .plain
        }
    }
}
