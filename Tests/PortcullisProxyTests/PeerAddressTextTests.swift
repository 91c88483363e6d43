import Glibc
@testable import PortcullisProxy
import Testing

/// The peer address text sent in X-Forwarded-For: the hand-written IPv4 form must equal what
/// `inet_ntop` writes, and IPv6 still goes through `inet_ntop`.
struct PeerAddressTextTests {
    @Test(arguments: [
        [0, 0, 0, 0], [127, 0, 0, 1], [10, 9, 99, 100], [192, 168, 1, 254],
        [255, 255, 255, 255], [1, 20, 200, 9], [100, 10, 0, 101],
    ] as [[UInt8]])
    func ipv4MatchesInetNtop(_ octets: [UInt8]) {
        var storage = sockaddr_storage()
        storage.ss_family = sa_family_t(AF_INET)
        let expected = withUnsafeMutableBytes(of: &storage) { raw -> String in
            let sin = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
            withUnsafeMutableBytes(of: &sin.pointee.sin_addr) { $0.copyBytes(from: octets) }
            var buf = [CChar](repeating: 0, count: 64)
            _ = inet_ntop(AF_INET, &sin.pointee.sin_addr, &buf, socklen_t(buf.count))
            return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        let text = withUnsafeBytes(of: &storage) {
            SocketAddress.numericHost(of: $0.baseAddress!, family: AF_INET)
        }
        #expect(String(decoding: text, as: UTF8.self) == expected)
        #expect(expected == octets.map(String.init).joined(separator: "."))
    }

    @Test func ipv6UsesTheCompressedForm() {
        var storage = sockaddr_storage()
        storage.ss_family = sa_family_t(AF_INET6)
        withUnsafeMutableBytes(of: &storage) { raw in
            let sin6 = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
            withUnsafeMutableBytes(of: &sin6.pointee.sin6_addr) { $0[15] = 1 }
        }
        let text = withUnsafeBytes(of: &storage) {
            SocketAddress.numericHost(of: $0.baseAddress!, family: AF_INET6)
        }
        #expect(String(decoding: text, as: UTF8.self) == "::1")
    }
}
