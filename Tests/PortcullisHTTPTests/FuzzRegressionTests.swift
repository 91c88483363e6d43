import PortcullisHTTP
import Testing

/// An input that broke a property of the fuzz targets in `Fuzz/` (minimised, kept as bytes), or a
/// hand-made variant of one, and what must hold for it now.
struct FuzzRegressionCase: Sendable, CustomTestStringConvertible {
    enum Side: Sendable { case request, response }

    let name: String
    let side: Side
    let raw: [UInt8]
    /// Lowercase names of fields of the first head that must be hop-by-hop.
    var hopByHop: Set<String> = []
    /// The first head's keep-alive, when it matters.
    var keepAlive: Bool? = nil
    /// Status of the reject the stream must end in, if any.
    var reject: Int? = nil

    var testDescription: String { name }

    static let all: [FuzzRegressionCase] = [
        // fuzz-response: `HTTP/1.1 200\nConnection:\xFF,X\nX:\n\n`. The non-token element made
        // readConnection stop, so X — named in Connection — was forwarded to the client.
        FuzzRegressionCase(
            name: "response: Connection element after a non-token one still names a field",
            side: .response,
            raw: [0x48, 0x54, 0x54, 0x50, 0x2F, 0x31, 0x2E, 0x31, 0x20, 0x32, 0x30, 0x30, 0x0A, 0x43, 0x6F, 0x6E,
                  0x6E, 0x65, 0x63, 0x74, 0x69, 0x6F, 0x6E, 0x3A, 0xFF, 0x2C, 0x58, 0x0A, 0x58, 0x3A, 0x0A, 0x0A],
            hopByHop: ["connection", "x"], keepAlive: false),
        // Variant: `close` after a non-token element was ignored, so the upstream connection was
        // kept for reuse although the origin said it would close it.
        FuzzRegressionCase(
            name: "response: close after a non-token Connection element is honoured",
            side: .response,
            raw: Array("HTTP/1.1 200 OK\r\nConnection: a b, close\r\nContent-Length: 0\r\n\r\n".utf8),
            hopByHop: ["connection", "content-length"], keepAlive: false),
        // Requests still refuse a Connection field with a non-token element, wherever it is.
        FuzzRegressionCase(
            name: "request: non-token Connection element before close is still a 400",
            side: .request,
            raw: Array("GET / HTTP/1.1\r\nHost: a\r\nConnection: \u{7F}, close\r\n\r\n".utf8),
            reject: 400),
    ]
}

@Suite("fuzz regressions")
struct FuzzRegressionTests {
    @Test("the table is not empty and names are unique")
    func table() {
        #expect(!FuzzRegressionCase.all.isEmpty)
        #expect(Set(FuzzRegressionCase.all.map(\.name)).count == FuzzRegressionCase.all.count)
    }

    @Test("fuzz-found inputs, in every split", arguments: FuzzRegressionCase.all)
    func replay(_ c: FuzzRegressionCase) throws {
        func run(_ chunks: [[UInt8]]) -> Replay {
            switch c.side {
            case .request: return replayRequests(chunks)
            case .response: return replayResponse(chunks, ended: true)
            }
        }
        let whole = run([c.raw])
        for split in Split.all.dropFirst() {
            #expect(run(split.chunks(c.raw)).events == whole.events, "split \(split)")
        }
        #expect(whole.lastReject == c.reject, "\(whole.events)")
        if c.reject != nil { return }

        let storage: [UInt8], fields: [HeaderField], keepAlive: Bool
        switch c.side {
        case .request:
            let head = try #require(whole.heads.first)
            (storage, fields, keepAlive) = (head.storage, head.fields, head.keepAlive)
        case .response:
            let head = try #require(whole.responseHeads.first)
            (storage, fields, keepAlive) = (head.storage, head.fields, head.keepAlive)
        }
        let hop = Set(fields.filter(\.isHopByHop).map { String(decoding: storage[$0.name], as: UTF8.self).lowercased() })
        #expect(hop == c.hopByHop)
        if let expected = c.keepAlive { #expect(keepAlive == expected) }
    }
}
