import CShim
import Glibc

/// Thin, total wrappers over the socket calls the loops make; errors come back as errno values.
enum Socket {
    enum ReadResult {
        case bytes(Int)
        case wouldBlock
        case eof
        case failed(Int32)
    }

    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> ReadResult {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n > 0 { return .bytes(n) }
            if n == 0 { return .eof }
            let e = errno
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK { return .wouldBlock }
            return .failed(e)
        }
    }

    static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// A listening socket bound to `address`, non-blocking, with SO_REUSEADDR.
    static func listen(on address: SocketAddress, backlog: Int32 = 1024) throws(AddressError) -> Int32 {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw AddressError("socket(): \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if address.family == AF_INET6 {
            _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let rc = address.storage.withUnsafeBytes {
            bind(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
        }
        if rc != 0 {
            let e = errno
            close(fd)
            throw AddressError("cannot listen on \(address): \(String(cString: strerror(e)))")
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let e = errno
            close(fd)
            throw AddressError("listen() on \(address): \(String(cString: strerror(e)))")
        }
        return fd
    }

    /// The port a listening socket was bound to (for ephemeral port 0 in tests).
    static func localPort(_ fd: Int32) -> UInt16 {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard rc == 0 else { return 0 }
        let family = storage.ss_family
        return withUnsafePointer(to: &storage) { p -> UInt16 in
            if family == sa_family_t(AF_INET) {
                return p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
            }
            return p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
        }
    }

    enum AcceptResult {
        /// A non-blocking connected socket and its peer's numeric address (TCP_NODELAY is set when
        /// the connection turns keep-alive, as nginx does: a single response needs no flag).
        case accepted(Int32, peer: [UInt8])
        case failed(Int32)
    }

    static func accept(_ listenFD: Int32) -> AcceptResult {
        var storage = sockaddr_storage()
        var len = UInt32(MemoryLayout<sockaddr_storage>.size)
        let fd = withUnsafeMutableBytes(of: &storage) { cshim_accept(listenFD, $0.baseAddress, &len) }
        if fd < 0 { return .failed(errno) }
        let family = Int32(storage.ss_family)
        let peer = withUnsafeBytes(of: &storage) { SocketAddress.numericHost(of: $0.baseAddress!, family: family) }
        return .accepted(fd, peer: peer)
    }

    enum ConnectResult {
        case connected(Int32)
        case inProgress(Int32)
        case failed(Int32)
    }

    /// Starts a non-blocking connect.
    static func connect(to address: SocketAddress) -> ConnectResult {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failed(errno) }
        setNoDelay(fd)
        let rc = address.storage.withUnsafeBytes {
            Glibc.connect(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
        }
        if rc == 0 { return .connected(fd) }
        let e = errno
        if e == EINPROGRESS || e == EINTR { return .inProgress(fd) }
        close(fd)
        return .failed(e)
    }

    /// The pending error of a socket after a non-blocking connect (0 when connected).
    static func pendingError(_ fd: Int32) -> Int32 {
        var err: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 { return errno }
        return err
    }
}
