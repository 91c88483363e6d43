/// Size limits the request parser enforces while bytes arrive.
///
/// Why: a firewall must decide before it buffers; each limit answers with its own status so a
/// client can tell which one it hit.
public struct HTTPLimits: Sendable, Equatable {
    /// Longest request line, CRLF excluded; longer gets 414. Default: 8,192 bytes.
    public var maxRequestLine: Int = 8192
    /// Longest head (request line, fields, CRLFs); longer gets 431. Default: 32,768 bytes.
    public var maxHeaderBytes: Int = 32768
    /// Longest single field line (name, colon, value), CRLF excluded; longer gets 431.
    /// Why separate from `maxHeaderBytes`: one giant field is the usual way to probe buffer sizes,
    /// and a per-line bound keeps the answer the same however many other fields came first.
    /// Default: 8,192 bytes.
    public var maxFieldLine: Int = 8192
    /// Most header fields; more gets 431. Default: 100.
    public var maxHeaderCount: Int = 100
    /// Largest request body, counted as it arrives (also for chunked); larger gets 413.
    /// Default: 1 GiB.
    public var maxBodyBytes: UInt64 = 1 << 30
    /// Longest chunk-size line including extensions; longer gets 400. Default: 4,096 bytes.
    public var maxChunkLine: Int = 4096
    /// Most trailer bytes after the last chunk; more gets 431. Default: 8,192 bytes.
    public var maxTrailerBytes: Int = 8192

    public init() {}
}
