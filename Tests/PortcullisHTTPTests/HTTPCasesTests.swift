import PortcullisHTTP
import Testing

/// One case of the shared smuggling suite with the outcome this parser gives.
struct HTTPCase: Sendable, CustomTestStringConvertible {
    enum Outcome: Sendable, Equatable {
        case reject(Int)
        /// Forwarded as this many complete requests.
        case forward(requests: Int)
    }

    let id: String
    let name: String
    let raw: [UInt8]
    let accept: [String]
    let rejectStatus: [Int]
    let outcome: Outcome
    /// The proxy's body limit for this case (F03 runs with 1 MiB).
    var bodyLimit: UInt64? = nil

    var testDescription: String { "\(id) \(name)" }

    var limits: HTTPLimits {
        var limits = HTTPLimits()
        if let bodyLimit { limits.maxBodyBytes = bodyLimit }
        return limits
    }
}

@Suite("http-cases smuggling suite")
struct HTTPCasesTests {
    @Test("the table is complete and each pinned outcome is one the suite accepts")
    func tableIsConsistent() {
        #expect(HTTPCase.all.count == 55)
        #expect(Set(HTTPCase.all.map(\.id)).count == HTTPCase.all.count)
        for c in HTTPCase.all {
            switch c.outcome {
            case .reject(let status):
                #expect(c.accept.contains("reject") && c.rejectStatus.contains(status), "\(c.id)")
            case .forward:
                #expect(c.accept.contains("forward"), "\(c.id)")
            }
        }
    }

    @Test("outcome, in every split", arguments: HTTPCase.all)
    func outcome(_ c: HTTPCase) {
        let whole = replayRequests(Split.whole.chunks(c.raw), limits: c.limits)
        switch c.outcome {
        case .reject(let status):
            #expect(whole.lastReject == status, "\(whole.events)")
            // Nothing after a reject reaches the upstream; in particular no smuggled request.
            #expect(!whole.heads.contains { $0.text($0.target).contains("SMUGGLED") })
        case .forward(let requests):
            #expect(whole.lastReject == nil, "\(whole.events)")
            #expect(whole.heads.count == requests)
            #expect(whole.endCount == requests)
            #expect(!whole.heads.contains { $0.text($0.target).contains("SMUGGLED") })
        }
        for split in Split.all.dropFirst() {
            let other = replayRequests(split.chunks(c.raw), limits: c.limits)
            #expect(other.events == whole.events, "\(c.id) split \(split)")
        }
    }

    @Test("forwarded cases carry the right bodies and fields")
    func forwardedDetails() throws {
        func run(_ id: String) throws -> Replay {
            let c = try #require(HTTPCase.all.first { $0.id == id })
            return replayRequests([c.raw], limits: c.limits)
        }
        let a14 = try run("A14")
        #expect(a14.heads.first?.framing == .contentLength(5))
        #expect(a14.bodies == [bytes("hello")])
        let a15 = try run("A15")
        #expect(a15.bodies == [bytes("GET /SMUGGLED HTTP/1.1\r\nHost: a\r\n\r\n")])
        let b09 = try run("B09")
        #expect(b09.heads.first?.framing == .chunked)
        #expect(b09.bodies == [bytes("hello")])
        let b14 = try run("B14")
        let head = try #require(b14.heads.first)
        #expect(head.framing == .contentLength(40))
        #expect(head.firstValue(named: "Transfer_Encoding") == "chunked")
        #expect(head.fields.first { head.text($0.name) == "Transfer_Encoding" }?.isHopByHop == false)
        #expect(b14.bodies.first?.count == 40)
        let c17 = try run("C17")
        #expect(c17.bodies == [bytes("hello")])
        let c18 = try run("C18")
        #expect(c18.heads.map { $0.text($0.target) } == ["/", "/second"])
        #expect(c18.bodies == [[], []])
    }
}
