import Dispatch
import Glibc
import Logging
import PortcullisEngine
import PortcullisProxy
import Synchronization
import Testing

/// Rules through the real proxy: blocked requests never reach the upstream, allowed ones arrive
/// unchanged, and reloads under load drop nothing.
@Suite struct RuleReloadTests {
    static let allowAll = "name: open\ndefault_action: allow\nrules: []\n"
    static let blockAdmin = """
        name: guarded
        default_action: allow
        rules:
          - id: 7
            name: no-admin
            action: block
            response: { status: 403, body: "no admin here\\n", headers: { X-Blocked-By: portcullis } }
            when: { starts_with: /admin, in: [path] }
          - id: 8
            name: no-union-select-in-body
            action: block
            when:
              regex: 'union\\s+select'
              in: [body.args]
              transforms: [url_decode, lowercase]
        """

    /// A rules file in a fresh temporary directory.
    final class RulesFile: Sendable {
        let path: String
        init(_ text: String) throws {
            var template = Array("/tmp/portcullis-rules-XXXXXX".utf8CString)
            guard let dir = mkdtemp(&template) else { throw TestError("mkdtemp failed") }
            path = String(cString: dir) + "/rules.yaml"
            write(text)
        }
        func write(_ text: String) {
            let fd = open(path + ".tmp", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            _ = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
            rename(path + ".tmp", path)
        }
    }

    private func start(_ rules: RulesFile, upstream: ScriptedUpstream) throws -> (ProxyHarness, RuleReloader) {
        let source = RuleSource.file(rules.path)
        let initial = try source.load()
        let proxy = try ProxyHarness(upstreamPort: upstream.port, ruleSet: initial)
        let reloader = RuleReloader(source: source, initial: initial, server: proxy.server, logger: Logger(label: "test"))
        return (proxy, reloader)
    }

    @Test func blockedRequestsNeverReachTheUpstream() throws {
        let upstream = try ScriptedUpstream(script: EchoScripts.echo)
        defer { upstream.stop() }
        let rules = try RulesFile(Self.blockAdmin)
        let (proxy, _) = try start(rules, upstream: upstream)
        defer { proxy.stop() }
        let client = try proxy.client()
        try client.send("GET /admin/users HTTP/1.1\r\nHost: a\r\n\r\n")
        let blocked = try #require(client.readResponse())
        #expect(blocked.status == 403)
        #expect(blocked.bodyText == "no admin here\n")
        #expect(blocked.header("X-Blocked-By") == "portcullis")
        // Keep-alive survives a block of a bodiless request.
        try client.send("GET /public?a=1 HTTP/1.1\r\nHost: a\r\nX-Custom: kept\r\n\r\n")
        let allowed = try #require(client.readResponse())
        #expect(allowed.status == 200)
        #expect(allowed.bodyText.contains("GET /public?a=1\n"))
        #expect(allowed.bodyText.contains("X-Custom: kept\n"))
        let body = "name=x&comment=1%20UNION%20%20SELECT%20password"
        let other = try proxy.client()
        try other.send("POST /comment HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        #expect(try #require(other.readResponse()).status == 403)
        let fine = "name=x&comment=union+station"
        let third = try proxy.client()
        try third.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(fine.utf8.count)\r\n\r\n\(fine)")
        let echoed = try #require(third.readResponse())
        #expect(echoed.status == 200)
        #expect(echoed.bodyText == fine, "an allowed body arrives unchanged")
        let seen = upstream.recorded.requests.map { $0.text($0.target) }
        #expect(seen == ["/public?a=1", "/echo"])
    }

    @Test func reloadUnderLoadDropsNothingAndABrokenFileKeepsTheOldSet() throws {
        let upstream = try ScriptedUpstream(script: EchoScripts.echo)
        defer { upstream.stop() }
        let rules = try RulesFile(Self.allowAll)
        let (proxy, reloader) = try start(rules, upstream: upstream)
        defer { proxy.stop() }
        let statuses = Mutex<[Int]>([])
        let done = DispatchSemaphore(value: 0)
        let port = proxy.port
        for worker in 0..<4 {
            BlockingThread.start {
                defer { done.signal() }
                guard let client = try? TestClient(port: port) else { return }
                for i in 0..<150 {
                    guard (try? client.send("GET /w\(worker)/\(i) HTTP/1.1\r\nHost: a\r\n\r\n")) != nil,
                          let response = client.readResponse() else {
                        statuses.withLock { $0.append(-1) }
                        return
                    }
                    statuses.withLock { $0.append(response.status) }
                }
            }
        }
        var outcomes: [Bool] = []
        for round in 0..<10 {
            rules.write(round % 3 == 1 ? "name: broken\nrules: [ {id: 1, when: }\n" : Self.allowAll.replacingName("open-\(round)"))
            switch reloader.reload() {
            case .success: outcomes.append(true)
            case .failure(let error):
                outcomes.append(false)
                #expect(error.description.contains(rules.path))
            }
        }
        for _ in 0..<4 { #expect(done.wait(timeout: .now() + 60) == .success) }
        let all = statuses.withLock { $0 }
        #expect(all.count == 600)
        #expect(all.allSatisfy { $0 == 200 }, "every request during reloads was answered 200")
        #expect(outcomes.filter { !$0 }.count == 3)
        #expect(reloader.current.name == "open-9")
        #expect(reloader.counts.ok == 7 && reloader.counts.failed == 3)
    }

    @Test func reloadPutsANewRuleInForce() throws {
        let upstream = try ScriptedUpstream(script: EchoScripts.echo)
        defer { upstream.stop() }
        let rules = try RulesFile(Self.allowAll)
        let (proxy, reloader) = try start(rules, upstream: upstream)
        defer { proxy.stop() }
        let client = try proxy.client()
        try client.send("GET /admin HTTP/1.1\r\nHost: a\r\n\r\n")
        let before = try #require(client.readResponse())
        #expect(before.status == 200, "got \(before.status): \(before.bodyText)")
        rules.write(Self.blockAdmin)
        guard case .success(let set) = reloader.reload() else {
            Issue.record("reload failed")
            return
        }
        #expect(set.name == "guarded")
        try client.send("GET /admin HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(try #require(client.readResponse()).status == 403)
    }
}

extension String {
    fileprivate func replacingName(_ name: String) -> String {
        "name: \(name)\n" + split(separator: "\n").dropFirst().joined(separator: "\n") + "\n"
    }
}
