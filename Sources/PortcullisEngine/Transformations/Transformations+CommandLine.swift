// Shell command normalisation, as ModSecurity's `cmdLine`.

extension Transformations {
    /// `cmd_line`: normalises a value the way shells (sh, cmd.exe) see it: deletes `\ " ' ^`,
    /// turns `,` and `;` into spaces, collapses runs of space, `\t \r \n` (and those) into one
    /// space, deletes a space before `/` or `(`, and lowercases ASCII.
    ///
    /// Defeats command-injection obfuscation that shells ignore: `c^at /et"c"/pa''ss\wd`,
    /// `w\h\o\a\m\i`, `;,cmd  /c` and `Ping (…)`, so `cat /etc/passwd` matches however it was
    /// quoted or escaped.
    static func cmdLine(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        // Candidates: letters, deleted bytes and separators. Every one of them but `;`, `\` and
        // `^` is below `-` (0x2D), so one word test covers most.
        let start = firstIndex(input, candidates: { c in
            c &- UInt8(ascii: "A") < 26 || cmdClass(c) == .delete || cmdClass(c) == .separator
        }, skipping: { w in
            mayHaveLetterRange(w, from: UInt8(ascii: "A")) || hasByteBelow(w, 0x2D) || hasByte(w, UInt8(ascii: ";"))
                || hasByte(w, UInt8(ascii: "\\")) || hasByte(w, UInt8(ascii: "^"))
        }) { s, i in
            // Anything but a space changes; a lone space followed by a plain byte stays as it is.
            guard s[i] == UInt8(ascii: " ") else { return i }
            guard i + 1 < s.count else { return nil }
            switch cmdClass(s[i + 1]) {
            case .separator, .joiner: return i
            default: return nil
            }
        }
        guard let start else { return nil }
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
