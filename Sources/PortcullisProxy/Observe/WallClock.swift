import Glibc

/// Wall-clock time for log lines, as milliseconds since the Unix epoch and as RFC 3339 text.
public enum WallClock {
    /// Milliseconds since 1970-01-01T00:00:00Z (CLOCK_REALTIME).
    public static func nowMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// `2026-11-29T04:39:59.123Z` for `milliseconds` since the epoch (UTC, proleptic Gregorian).
    public static func rfc3339(milliseconds: Int64) -> String {
        var out: [UInt8] = []
        appendRFC3339(milliseconds: milliseconds, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the RFC 3339 text of `milliseconds` (digits written directly, no strings).
    public static func appendRFC3339(milliseconds: Int64, to out: inout [UInt8]) {
        let seconds = milliseconds.floorDiv(1000)
        let ms = Int(milliseconds - seconds * 1000)
        let days = seconds.floorDiv(86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (y, m, d) = civil(fromDays: days)
        func digits(_ v: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var v = max(0, v)
            while divisor > 0 {
                out.append(UInt8(truncatingIfNeeded: 0x30 + (v / divisor) % 10))
                v %= divisor
                divisor /= 10
            }
        }
        digits(y, 4); out.append(UInt8(ascii: "-")); digits(m, 2); out.append(UInt8(ascii: "-")); digits(d, 2)
        out.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2); out.append(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2); out.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2); out.append(UInt8(ascii: "."))
        digits(ms, 3); out.append(UInt8(ascii: "Z"))
    }

    /// Year, month, day of the day `days` after 1970-01-01 (the days-to-civil algorithm over
    /// 400-year eras, which repeat exactly in the Gregorian calendar).
    static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = z.floorDiv(146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (Int(y), Int(m), Int(d))
    }
}

extension Int64 {
    /// Division rounding toward negative infinity.
    func floorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
