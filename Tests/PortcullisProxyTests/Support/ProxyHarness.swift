import Logging
import PortcullisEngine
import PortcullisProxy

/// A proxy on an ephemeral loopback port in front of `upstreamPort`, stopped by `stop()`.
struct ProxyHarness {
    let server: ProxyServer
    let port: UInt16

    init(upstreamPort: UInt16, time: TimeSource = SystemTimeSource(), loops: Int = 1,
         ruleSet: CompiledRuleSet? = nil, configure: (inout ProxyConfiguration) -> Void = { _ in }) throws {
        var config = ProxyConfiguration(
            listen: try SocketAddress.resolve("127.0.0.1:0", allowPortZero: true),
            upstream: try SocketAddress.resolve("http://127.0.0.1:\(upstreamPort)"),
            loops: loops)
        configure(&config)
        let rules = try ruleSet ?? RuleSetLoader().load(yaml: "name: test\ndefault_action: allow\n", sourcePath: "test")
        server = ProxyServer(configuration: config, ruleSet: rules, time: time, logger: Logger(label: "test"))
        port = try server.start()
    }

    func stop() {
        server.shutdown(grace: .seconds(2))
        server.waitUntilStopped()
    }

    func client() throws -> TestClient { try TestClient(port: port) }
}

/// An origin that answers every request like a tiny app: `/echo` returns the body, anything else
/// the request line and headers it received.
enum EchoScripts {
    static let echo: ScriptedUpstream.Script = { peer in
        while let head = peer.readRequest() {
            let body: [UInt8]
            if head.text(head.target).hasPrefix("/echo") {
                body = peer.lastBody
            } else {
                var text = "\(head.text(head.methodRange)) \(head.text(head.target))\n"
                for f in head.fields { text += "\(head.text(f.name)): \(head.text(f.value))\n" }
                body = Array(text.utf8)
            }
            peer.write("HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n\r\n")
            if head.method != .head { peer.write(body) }
        }
    }
}
