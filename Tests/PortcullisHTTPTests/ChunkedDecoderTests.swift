import PortcullisHTTP
import Testing

@Suite("chunked decoder")
struct ChunkedDecoderTests {
    /// Feeds `raw` in the given split; returns the decoded data and the final event.
    private func decode(_ raw: [UInt8], split: Split, decoder: ChunkedDecoder = ChunkedDecoder())
        -> (data: [UInt8], last: ChunkedDecoder.Event, trailing: [UInt8]) {
        var decoder = decoder
        var data: [UInt8] = []
        var pending: [UInt8] = []
        for chunk in split.chunks(raw) {
            pending += chunk
            while true {
                let (consumed, event) = pending.withUnsafeBytes { decoder.next($0) }
                switch event {
                case .needMore:
                    pending.removeFirst(consumed)
                case .data(let range):
                    data += pending[range]
                    pending.removeFirst(consumed)
                    continue
                case .end, .reject:
                    pending.removeFirst(consumed)
                    return (data, event, pending)
                }
                break
            }
        }
        return (data, .needMore, pending)
    }

    @Test("decodes data, drops extensions and trailers, stops at the end", arguments: Split.all)
    func decodes(_ split: Split) {
        let raw = bytes("4;a=1;b=\"x y\"\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nExpires: never\r\n\r\nNEXT")
        let result = decode(raw, split: split)
        #expect(String(decoding: result.data, as: UTF8.self) == "Wikipedia in\r\n\r\nchunks.")
        #expect(result.last == .end)
    }

    @Test("data ranges are relative to the input of that call")
    func ranges() {
        var decoder = ChunkedDecoder()
        let raw = bytes("3\r\nabc\r\n0\r\n\r\n")
        let first = raw.withUnsafeBytes { decoder.next($0) }
        #expect(first.event == .data(3..<6))
        #expect(first.consumed == 6)
        let rest = Array(raw[6...])
        let second = rest.withUnsafeBytes { decoder.next($0) }
        #expect(second.event == .end)
        #expect(second.consumed == rest.count)
        #expect(decoder.isComplete)
        decoder.reset()
        #expect(decoder.isAtStart)
    }

    @Test("the body limit counts across chunks")
    func bodyLimit() {
        let raw = bytes("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n")
        let limited = decode(raw, split: .whole, decoder: ChunkedDecoder(maxBodyBytes: 9))
        #expect(limited.data == bytes("hello"))
        guard case .reject(let error) = limited.last else { Issue.record("\(limited.last)"); return }
        #expect(error.status == 413)
        #expect(decode(raw, split: .whole, decoder: ChunkedDecoder(maxBodyBytes: 10)).last == .end)
    }

    @Test("sixteen significant hex digits are accepted, seventeen are not")
    func sizeDigits() {
        let sixteen = bytes("0000FFFFFFFFFFFFFFFF\r\n")
        guard case .needMore = decode(sixteen, split: .whole).last else { Issue.record("16 digits refused"); return }
        guard case .reject(let error) = decode(bytes("1FFFFFFFFFFFFFFFF\r\n"), split: .whole).last else {
            Issue.record("17 digits accepted"); return
        }
        #expect(error.status == 400)
    }
}
