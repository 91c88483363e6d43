import Glibc

/// An IPv4 or IPv6 socket address, resolved once at start-up.
public struct SocketAddress: Sendable, Equatable, CustomStringConvertible {
    /// Raw `sockaddr_in` / `sockaddr_in6` bytes.
    public let storage: [UInt8]
    public let family: Int32
    /// The host as written by the user (a name or a literal), for Host headers and messages.
    public let hostText: String
    public let port: UInt16

    /// True for 127.0.0.0/8 and ::1 (the resolved bytes, whatever name was written).
    public var isLoopback: Bool {
        if family == AF_INET { return storage.count >= 5 && storage[4] == 127 }
        guard family == AF_INET6, storage.count >= 24 else { return false }
        return storage[8..<23].allSatisfy { $0 == 0 } && storage[23] == 1
    }

    public var description: String { family == AF_INET6 && hostText.contains(":") ? "[\(hostText)]:\(port)" : "\(hostText):\(port)" }

    /// Parses `host:port`, `[v6]:port` or `http://host:port[/]`, resolving names with getaddrinfo.
    /// Port 0 (any free port, for listeners in tests) only with `allowPortZero`.
    public static func resolve(_ text: String, defaultPort: UInt16? = nil,
                               allowPortZero: Bool = false) throws(AddressError) -> SocketAddress {
        var rest = Substring(text)
        if rest.hasPrefix("http://") { rest = rest.dropFirst(7) }
        else if rest.contains("://") { throw AddressError("only http:// upstreams are supported: '\(text)'") }
        if let slash = rest.firstIndex(of: "/") {
            guard rest[slash...] == "/" else { throw AddressError("an upstream is an address, not a path: '\(text)'") }
            rest = rest[..<slash]
        }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw AddressError("unclosed '[' in '\(text)'") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                throw AddressError("expected ':port' after ']' in '\(text)'")
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        if host.isEmpty { throw AddressError("missing host in '\(text)'") }
        let port: UInt16
        if let portText {
            guard let p = UInt16(portText), p > 0 || allowPortZero else { throw AddressError("bad port '\(portText)' in '\(text)'") }
            port = p
        } else if let defaultPort {
            port = defaultPort
        } else {
            throw AddressError("missing ':port' in '\(text)'")
        }
        return try lookup(host: String(host), port: port)
    }

    private static func lookup(host: String, port: UInt16) throws(AddressError) -> SocketAddress {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let first = result else {
            throw AddressError("cannot resolve '\(host)': \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(result) }
        // Prefer IPv4 for names like "localhost" that resolve to both, as curl users expect.
        var pick = first
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let c = cursor {
            if c.pointee.ai_family == AF_INET { pick = c; break }
            cursor = c.pointee.ai_next
        }
        let len = Int(pick.pointee.ai_addrlen)
        let bytes = [UInt8](UnsafeRawBufferPointer(start: pick.pointee.ai_addr, count: len))
        return SocketAddress(storage: bytes, family: pick.pointee.ai_family, hostText: host, port: port)
    }

    init(storage: [UInt8], family: Int32, hostText: String, port: UInt16) {
        self.storage = storage
        self.family = family
        self.hostText = hostText
        self.port = port
    }

    /// The numeric text of a peer address (for X-Forwarded-For), from a `sockaddr_storage`.
    static func numericHost(of addr: UnsafeRawPointer, family: Int32) -> [UInt8] {
        let src: UnsafeRawPointer
        if family == AF_INET {
            src = addr + MemoryLayout<sockaddr_in>.offset(of: \sockaddr_in.sin_addr)!
            return dottedQuad(src)
        } else if family == AF_INET6 {
            src = addr + MemoryLayout<sockaddr_in6>.offset(of: \sockaddr_in6.sin6_addr)!
        } else {
            return Array("unknown".utf8)
        }
        var buf = [CChar](repeating: 0, count: 64)
        guard inet_ntop(family, src, &buf, socklen_t(buf.count)) != nil else { return Array("unknown".utf8) }
        let n = buf.firstIndex(of: 0) ?? buf.count
        return buf[..<n].map { UInt8(bitPattern: $0) }
    }

    /// `a.b.c.d` for the four bytes at `src` (network order), as `inet_ntop` writes it. Written out
    /// because this runs once per accepted connection and `inet_ntop` goes through `sprintf`
    /// (≈1,700 instructions per connection under callgrind, against a few dozen here).
    static func dottedQuad(_ src: UnsafeRawPointer) -> [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(15)
        for i in 0..<4 {
            if i > 0 { text.append(UInt8(ascii: ".")) }
            let octet = src.load(fromByteOffset: i, as: UInt8.self)
            if octet >= 100 { text.append(UInt8(ascii: "0") + octet / 100) }
            if octet >= 10 { text.append(UInt8(ascii: "0") + octet / 10 % 10) }
            text.append(UInt8(ascii: "0") + octet % 10)
        }
        return text
    }
}

/// An address that could not be parsed or resolved.
public struct AddressError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ d: String) { description = d }
}
