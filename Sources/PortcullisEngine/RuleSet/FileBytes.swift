#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole (small) file with POSIX calls; rule and config files are loaded off the hot
/// path, and this keeps Foundation out of the engine's own code.
public enum FileBytes {
    /// The file's bytes, or why it could not be read.
    public static func read(_ path: String) -> Result<[UInt8], FileReadFailure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(FileReadFailure(errno: errno)) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return .success(bytes) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(FileReadFailure(errno: errno))
            }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }
}

/// Why a file could not be read: the `errno` of the failing call.
public struct FileReadFailure: Error, Sendable {
    public let errno: Int32
    /// `strerror` text, e.g. "No such file or directory".
    public var message: String { String(cString: strerror(errno)) }
}

/// Wall-clock time since the Unix epoch.
func systemWallClock() -> Duration {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return .seconds(Int64(ts.tv_sec)) + .nanoseconds(Int64(ts.tv_nsec))
}
