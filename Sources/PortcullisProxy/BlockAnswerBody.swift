import PortcullisEngine
import PortcullisHTTP

/// The body of a block answer whose rule gives none: `403 blocked by rule 1701\n`, or
/// `403 blocked by the default action\n` when no rule decided.
///
/// Written as bytes into a buffer the connection reuses, since every blocked request of a
/// flood sends one: no String formatting and no allocation once the buffer has grown.
enum BlockAnswerBody {
    /// Replaces `out`'s contents with the default body for `status` and `rule`.
    static func write(status: Int, rule: RuleID?, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        appendSigned(status, to: &out)
        if let rule {
            ASCII.append(" blocked by rule ", to: &out)
            appendSigned(rule.value, to: &out)
        } else {
            ASCII.append(" blocked by the default action", to: &out)
        }
        out.append(UInt8(ascii: "\n"))
    }

    /// `String(value)`'s digits, sign included.
    private static func appendSigned(_ value: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        ASCII.appendDecimal(UInt64(value.magnitude), to: &out)
    }
}
