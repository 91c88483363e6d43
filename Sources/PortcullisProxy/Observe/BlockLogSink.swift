import Glibc

/// Where block-log lines go. Called only from the log writer's thread.
public protocol BlockLogSink: AnyObject, Sendable {
    /// Writes all of `bytes`; false when that failed (the writer counts the lost lines).
    func write(_ bytes: [UInt8]) -> Bool
    /// Opens the destination again, for log rotation (`mv` the file, then SIGUSR1); false when
    /// it could not be reopened (writing goes on to the old descriptor).
    func reopen() -> Bool
    func close()
}

/// Appends to a file (created 0640 when missing), or writes to standard output for `-`.
public final class FileLogSink: BlockLogSink, @unchecked Sendable {
    // @unchecked: `fd` changes only on the writer's thread (reopen, close).
    public let path: String
    private var fd: Int32

    /// Standard output when `path` is `-`.
    public init(path: String) throws(FileLogSinkError) {
        self.path = path
        if path == "-" {
            fd = 1
        } else {
            fd = try Self.open(path)
        }
    }

    private static func open(_ path: String) throws(FileLogSinkError) -> Int32 {
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        if fd < 0 { throw FileLogSinkError(path: path, message: String(cString: strerror(errno))) }
        return fd
    }

    public func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 { offset += n; continue }
            if n < 0 && errno == EINTR { continue }
            return false
        }
        return true
    }

    public func reopen() -> Bool {
        guard path != "-" else { return true }
        guard let fresh = try? Self.open(path) else { return false }
        Glibc.close(fd)
        fd = fresh
        return true
    }

    public func close() {
        if fd > 2 { Glibc.close(fd) }
        fd = -1
    }
}

/// A block-log file that cannot be opened.
public struct FileLogSinkError: Error, CustomStringConvertible {
    public let path: String
    public let message: String
    public var description: String { "cannot open block log \(path): \(message)" }
}
