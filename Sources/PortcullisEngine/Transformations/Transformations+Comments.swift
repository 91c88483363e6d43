// Comment removal. SQL, HTML, CSS and JavaScript all let comments stand between (or, in MySQL,
// inside) tokens, so `UN/**/ION SEL/*x*/ECT` reaches the database as `UNION SELECT`.

extension Transformations {
    /// `remove_comments`: removes `/* … */` and `<!-- … -->` comments (a comment still open at the
    /// end of the value is removed to the end and replaced with one space), and `--` or `#` up to
    /// the end of the line.
    ///
    /// Defeats keywords split by comments (`UN/**/ION`, `<scr<!-- -->ipt>`) and SQL truncation
    /// tricks. Either closer (`*/` or `-->`) ends either kind of comment, as in ModSecurity.
    static func removeComments(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        // Every opener holds a `*` (`/*`), a `-` (`--`, `<!--`) or is `#`, at most two bytes after
        // its start; the first opener is found at the first such byte that completes one.
        let start = firstIndex(input, candidates: { c in
            c == UInt8(ascii: "*") || c == UInt8(ascii: "-") || c == UInt8(ascii: "#")
        }, skipping: { w in
            hasByte(w, UInt8(ascii: "*")) || hasByte(w, UInt8(ascii: "-")) || hasByte(w, UInt8(ascii: "#"))
        }) { s, k in
            for i in max(0, k - 2)...k where commentOpener(s, at: i) != .none { return i }
            return nil
        }
        guard let start else { return nil }
        // Only removes, except the one space that replaces an open comment (at least two bytes).
        return rewrite(input, capacity: input.count) { s, d in
            let n = s.count
            copyPrefix(s, d, start)
            var i = start, o = start
            var inComment = false
            while i < n {
                if inComment {
                    if i + 1 < n && s[i] == UInt8(ascii: "*") && s[i + 1] == UInt8(ascii: "/") {
                        inComment = false
                        i += 2
                    } else if i + 2 < n && s[i] == UInt8(ascii: "-") && s[i + 1] == UInt8(ascii: "-")
                        && s[i + 2] == UInt8(ascii: ">") {
                        inComment = false
                        i += 3
                    } else {
                        i += 1
                    }
                    continue
                }
                switch commentOpener(s, at: i) {
                case .block:
                    inComment = true
                    i += 2
                case .html:
                    inComment = true
                    i += 4
                case .line:
                    // Drop to the end of the line; the newline itself stays, ending the comment.
                    while i < n && s[i] != UInt8(ascii: "\n") { i += 1 }
                case .none:
                    d[o] = s[i]
                    o += 1
                    i += 1
                }
            }
            if inComment {
                d[o] = UInt8(ascii: " ")
                o += 1
            }
            return o
        }
    }

    /// `replace_comments`: replaces each `/* … */` comment with one space; a comment still open at
    /// the end of the value is replaced with one space too.
    ///
    /// For back ends that read a C-style comment as whitespace (MySQL's `UNION/**/SELECT`), so that
    /// the rule sees `UNION SELECT`, as the database does.
    static func replaceComments(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let start = firstIndex(input, candidates: { $0 == UInt8(ascii: "*") },
                               skipping: { hasByte($0, UInt8(ascii: "*")) }) { s, k in
            k > 0 && s[k - 1] == UInt8(ascii: "/") ? k - 1 : nil
        }
        guard let start else { return nil }
        // A comment is at least two bytes and becomes one.
        return rewrite(input, capacity: input.count) { s, d in
            let n = s.count
            copyPrefix(s, d, start)
            var i = start, o = start
            var inComment = false
            while i < n {
                if inComment {
                    if i + 1 < n && s[i] == UInt8(ascii: "*") && s[i + 1] == UInt8(ascii: "/") {
                        inComment = false
                        d[o] = UInt8(ascii: " ")
                        o += 1
                        i += 2
                    } else {
                        i += 1
                    }
                } else if i + 1 < n && s[i] == UInt8(ascii: "/") && s[i + 1] == UInt8(ascii: "*") {
                    inComment = true
                    i += 2
                } else {
                    d[o] = s[i]
                    o += 1
                    i += 1
                }
            }
            if inComment {
                d[o] = UInt8(ascii: " ")
                o += 1
            }
            return o
        }
    }

    private enum CommentOpener { case none, block, html, line }

    /// Which comment, if any, starts at `i` outside a comment.
    @inline(__always)
    private static func commentOpener(_ s: UnsafeBufferPointer<UInt8>, at i: Int) -> CommentOpener {
        let n = s.count
        switch s[i] {
        case UInt8(ascii: "/"):
            return i + 1 < n && s[i + 1] == UInt8(ascii: "*") ? .block : .none
        case UInt8(ascii: "<"):
            return i + 3 < n && s[i + 1] == UInt8(ascii: "!") && s[i + 2] == UInt8(ascii: "-")
                && s[i + 3] == UInt8(ascii: "-") ? .html : .none
        case UInt8(ascii: "-"):
            return i + 1 < n && s[i + 1] == UInt8(ascii: "-") ? .line : .none
        case UInt8(ascii: "#"):
            return .line
        default:
            return .none
        }
    }
}
