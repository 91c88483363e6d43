import PortcullisEngine
import PortcullisHTTP

/// The start of the last block answer a loop sent (status line, Content-Type, Content-Length and
/// the rule's fields) and its body, kept for the next request the same rule blocks.
///
/// Why: in a flood of one attack every block answer is the same but for its `X-Request-Id` and
/// `Connection` field, and formatting it anew (reason phrase, length, the default body naming the
/// rule) cost more than copying it. Keyed by the rule's `BlockResponse` itself, so an answer
/// changed by a reload is never sent stale. Loop-confined.
struct BlockAnswerCache {
    private struct Key: Equatable {
        var response: BlockResponse
        var rule: RuleID?
        /// A HEAD request is answered with `Content-Length: 0` and no body.
        var head: Bool
    }

    private var key: Key?
    private var status = 403
    /// The answer up to its per-request fields.
    private var start: [UInt8] = []
    /// The body sent after the blank line (empty for HEAD).
    private var body: [UInt8] = []
    /// Content-Type of every block answer.
    static let contentType: StaticString = "text/plain; charset=utf-8"

    /// Makes the answer for a block by `rule` with `response` the current one (formatting it
    /// only when it differs from the last).
    mutating func prepare(_ response: BlockResponse, rule: RuleID?, head: Bool) {
        let wanted = Key(response: response, rule: rule, head: head)
        if key == wanted { return }
        key = wanted
        status = response.status
        if head {
            body.removeAll(keepingCapacity: true)
        } else if let own = response.body {
            body = own
        } else {
            BlockAnswerBody.write(status: response.status, rule: rule, into: &body)
        }
        start.removeAll(keepingCapacity: true)
        MessageSerializer.writeLocalResponseStart(status: response.status, bodyCount: body.count,
                                                  contentType: Self.contentType, into: &start)
        for field in response.headers {
            MessageSerializer.writeField(name: field.name, value: field.value, into: &start)
        }
    }

    /// Appends the prepared answer with its request id, as `writeLocalResponse` writes it.
    func write(requestID: [UInt8], keepAlive: Bool, into out: inout [UInt8]) {
        out.append(contentsOf: start)
        MessageSerializer.writeField(name: RequestObserver.headerName, value: requestID, into: &out)
        MessageSerializer.writeLocalResponseEnd(status: status, body: body, keepAlive: keepAlive, into: &out)
    }
}
