import PortcullisHTTP

/// Builds a request's key for one rate limit: each part's bytes, encoded without ambiguity
/// (a tag byte and a 4-byte length before each part), hashed to a `RateKey`; and the readable
/// text for outcomes.
///
/// A part with several values (a header sent twice, a repeated argument) takes all of them in
/// order, joined by `,`. A part with no value (or only empty values) is missing: the key is nil (not counted) unless
/// the definition declares a `fallback`, which then stands in for the part.
public enum RateLimitKeyBuilder {
    /// Longest part value shown in the readable key (the hash always covers all of it).
    static let shownLimit = 64

    public static func key(_ definition: RateLimitDefinition, request: RequestView, labels: [Label],
                           settings: RateLimitSettings) -> (key: RateKey, text: String)? {
        var encoded: [UInt8] = []
        var text = ""
        for (index, part) in definition.keys.enumerated() {
            var value = self.value(part, request: request, labels: labels, settings: settings)
            if value == nil, let fallback = definition.fallback { value = Array(fallback.utf8) }
            guard let value else { return nil }
            encoded.append(UInt8(truncatingIfNeeded: index))
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: value.count).littleEndian) { encoded.append(contentsOf: $0) }
            encoded.append(contentsOf: value)
            if !text.isEmpty { text += " " }
            let shown = value.count > shownLimit ? Array(value.prefix(shownLimit)) + Array("…".utf8) : value
            text += "\(part)=\(String(decoding: shown, as: UTF8.self))"
        }
        return (RateKey(hashing: encoded), text)
    }

    static func value(_ part: RateLimitKeyPart, request: RequestView, labels: [Label],
                      settings: RateLimitSettings) -> [UInt8]? {
        switch part {
        case .clientIP:
            return request.clientAddress
        case .forwardedIP:
            return ForwardedClient.address(peer: request.clientAddress, request: request, settings: settings)
        case .path:
            return request.values(for: TargetSelector(kind: .path)).first.map { Array($0.value) }
        case .method:
            return request.values(for: TargetSelector(kind: .method)).first.map { Array($0.value) }
        case .header(let name):
            return joined(request.values(for: TargetSelector(kind: .header, name: Array(name.utf8))))
        case .cookie(let name):
            return joined(request.values(for: TargetSelector(kind: .cookie, name: Array(name.utf8))))
        case .queryArg(let name):
            return joined(request.values(for: TargetSelector(kind: .queryArg, name: Array(name.utf8))))
        case .label(let namespace):
            let prefix = namespace + ":"
            let found = labels.filter { $0.text.hasPrefix(prefix) }.map(\.text)
            guard !found.isEmpty else { return nil }
            return Array(Set(found).sorted().joined(separator: ",").utf8)
        }
    }

    private static func joined(_ values: [TargetValue]) -> [UInt8]? {
        guard let first = values.first, values.contains(where: { !$0.value.isEmpty }) else { return nil }
        if values.count == 1 { return Array(first.value) }
        var out = Array(first.value)
        for v in values.dropFirst() {
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: v.value)
        }
        return out
    }
}
