// Path normalisation: the file a server opens is named by the path after `.`, `..` and repeated
// slashes are resolved, so rules must see that path rather than the spelling that was sent.

extension Transformations {
    /// `normalize_path`: resolves `.` and `..` segments and collapses repeated `/`.
    ///
    /// Defeats traversal and disguise: `/app/./../../etc//passwd` becomes `/etc/passwd`, and
    /// `/admin/x/..` becomes `/admin`. An absolute path never climbs above its root (extra `..`
    /// are dropped); a relative one keeps its leading `..` segments (`a/../../b` → `../b`). A
    /// trailing slash is kept; a relative path that resolves to nothing becomes empty (`.`, `a/..`).
    static func normalizePath(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        if input.isEmpty || pathIsNormal(input) { return nil }
        // Resolution only removes bytes; the one `/` an empty absolute path keeps is its own.
        return rewrite(input, capacity: input.count) { s, d in
            let n = s.count
            let rooted = s[0] == UInt8(ascii: "/")
            var o = 0
            if rooted {
                d[0] = UInt8(ascii: "/")
                o = 1
            }
            let base = o
            // Output before `kept` is the root or leading `..` segments that nothing can pop.
            var kept = base
            var i = 0
            while i < n {
                while i < n && s[i] == UInt8(ascii: "/") { i += 1 }
                let a = i
                while i < n && s[i] != UInt8(ascii: "/") { i += 1 }
                switch segmentKind(s, a, i) {
                case .empty, .dot:
                    continue
                case .dotDot:
                    if o > kept {
                        // Pop the last segment with the `/` before it.
                        var k = o - 1
                        while k > kept && d[k] != UInt8(ascii: "/") { k -= 1 }
                        o = k
                    } else if !rooted {
                        if o > base {
                            d[o] = UInt8(ascii: "/")
                            o += 1
                        }
                        d[o] = UInt8(ascii: ".")
                        d[o + 1] = UInt8(ascii: ".")
                        o += 2
                        kept = o
                    }
                case .name:
                    if o > base {
                        d[o] = UInt8(ascii: "/")
                        o += 1
                    }
                    d.advanced(by: o).update(from: s.baseAddress! + a, count: i - a)
                    o += i - a
                }
            }
            if s[n - 1] == UInt8(ascii: "/") && o > 0 && d[o - 1] != UInt8(ascii: "/") {
                d[o] = UInt8(ascii: "/")
                o += 1
            }
            return o
        }
    }

    /// `normalize_path_win`: `normalize_path` after turning every `\` into `/`.
    ///
    /// Windows servers accept both separators, so `..\..\windows\win.ini` and mixes such as
    /// `/scripts/..%5c../winnt` traverse just as `/` does.
    static func normalizePathWin(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard let start = firstIndex(of: UInt8(ascii: "\\"), in: input) else {
            return normalizePath(input)
        }
        let slashed = rewrite(input, capacity: input.count) { s, d in
            copyPrefix(s, d, start)
            for i in start..<s.count {
                let c = s[i]
                d[i] = c == UInt8(ascii: "\\") ? UInt8(ascii: "/") : c
            }
            return s.count
        }
        return slashed.withUnsafeBufferPointer { normalizePath($0) } ?? slashed
    }

    private enum SegmentKind { case empty, dot, dotDot, name }

    @inline(__always)
    private static func segmentKind(_ s: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: Int) -> SegmentKind {
        switch b - a {
        case 0: return .empty
        case 1: return s[a] == UInt8(ascii: ".") ? .dot : .name
        case 2: return s[a] == UInt8(ascii: ".") && s[a + 1] == UInt8(ascii: ".") ? .dotDot : .name
        default: return .name
        }
    }

    /// Whether `normalizePath` would return the path unchanged: no empty segment inside it (`//`),
    /// no `.`, and `..` only as leading segments of a relative path.
    private static func pathIsNormal(_ input: UnsafeBufferPointer<UInt8>) -> Bool {
        let s = input
        let n = s.count
        let rooted = s[0] == UInt8(ascii: "/")
        var onlyDotDots = true
        var i = rooted ? 1 : 0
        while i <= n {
            let a = i
            while i < n && s[i] != UInt8(ascii: "/") { i += 1 }
            switch segmentKind(s, a, i) {
            case .empty:
                // Only the one after a trailing slash (or the root itself) may be empty.
                if i != n { return false }
            case .dot:
                return false
            case .dotDot:
                if rooted || !onlyDotDots { return false }
            case .name:
                onlyDotDots = false
            }
            i += 1
        }
        return true
    }
}
