import PortcullisHTTP

/// The client address behind trusted proxies: the `forwarded_ip` key part.
///
/// Only a peer inside `trusted_proxies` is believed. Its forwarded header (all fields of that
/// name, in order, comma-separated) is read from the right — each proxy appends the address it
/// saw — skipping addresses that are themselves trusted proxies; the first one that is not is
/// the client. So an untrusted peer's header changes nothing, and a client cannot prepend a
/// fake address in front of a trusted proxy's entry. An entry that is not an address ends the
/// walk at the last trusted hop. The result is canonical text (`IPAddress.description`).
public enum ForwardedClient {
    public static func address(peer: [UInt8], request: RequestView, settings: RateLimitSettings) -> [UInt8] {
        guard let trusted = settings.trustedProxies,
              let peerAddress = peer.withUnsafeBytes({ IPAddress.parseAddress($0) }),
              trusted.contains(peerAddress) else { return peer }
        var current = peerAddress
        let fields = request.values(for: TargetSelector(kind: .header, name: settings.forwardedHeader))
        for field in fields.reversed() {
            for entry in field.value.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).reversed() {
                var slice = entry[...]
                while let b = slice.first, b == 0x20 || b == 0x09 { slice.removeFirst() }
                while let b = slice.last, b == 0x20 || b == 0x09 { slice.removeLast() }
                guard let address = slice.withUnsafeBytes({ IPAddress.parseAddress($0) }) else {
                    return Array(current.description.utf8)
                }
                current = address
                if !trusted.contains(address) { return Array(address.description.utf8) }
            }
        }
        return Array(current.description.utf8)
    }
}
