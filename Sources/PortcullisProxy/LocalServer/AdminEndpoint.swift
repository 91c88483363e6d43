import PortcullisEngine

/// The admin listener's answers: `GET /metrics` (Prometheus text format), `GET /healthz`,
/// `GET /rules` (the set in force), `POST /reload`. Loopback unless explicitly made public: it
/// reloads rules and shows what the firewall sees.
public enum AdminEndpoint {
    /// The Prometheus text exposition format, version 0.0.4.
    public static let metricsContentType: StaticString = "text/plain; version=0.0.4; charset=utf-8"

    public static func handle(_ request: LocalRequest, reloader: RuleReloader) -> LocalResponse {
        switch (request.head.method, request.path) {
        case (.get, "/metrics"), (.head, "/metrics"):
            return LocalResponse(status: 200, contentType: metricsContentType, bytes: reloader.server.scrapeMetrics())
        case (.get, "/healthz"), (.head, "/healthz"):
            return LocalResponse(status: 200, body: "ok\n")
        case (.get, "/rules"), (.head, "/rules"):
            return LocalResponse(status: 200, contentType: "application/json", body: describe(reloader.current, reloader: reloader))
        case (.post, "/reload"):
            switch reloader.reload() {
            case .success(let set):
                return LocalResponse(status: 200, contentType: "application/json", body: describe(set, reloader: reloader))
            case .failure(let error):
                return LocalResponse(status: 422, contentType: "application/json",
                                     body: "{\"reloaded\":false,\"error\":\(jsonString(error.description)),\"kept\":\(jsonString(reloader.current.name))}\n")
            }
        case (_, "/healthz"), (_, "/rules"), (_, "/reload"), (_, "/metrics"):
            return LocalResponse(status: 405, body: "method not allowed\n")
        default:
            return LocalResponse(status: 404, body: "not found; try GET /metrics, GET /healthz, GET /rules, POST /reload\n")
        }
    }

    static func describe(_ set: CompiledRuleSet, reloader: RuleReloader) -> String {
        let files = set.sourceFiles.map(jsonString).joined(separator: ",")
        let counts = reloader.counts
        return """
            {"name":\(jsonString(set.name)),"id":\(jsonString(RuleSetID.of(set))),"source":\(jsonString(set.sourcePath)),"files":[\(files)],\
            "rules":\(set.ruleCount),"default_action":\(jsonString(set.defaultAction.rawValue)),\
            "mode":\(jsonString(set.mode.rawValue)),"loaded_at_unix":\(set.loadedAt.components.seconds),\
            "loaded_at":\(jsonString(WallClock.rfc3339(milliseconds: Int64(set.loadedAt.components.seconds) * 1000 + set.loadedAt.components.attoseconds / 1_000_000_000_000_000))),\
            "reloads":{"ok":\(counts.ok),"failed":\(counts.failed)}}

            """
    }

    /// A JSON string literal for `s` (the engine's JSON writer, which `explain --json` uses too).
    public static func jsonString(_ s: String) -> String { JSONText.string(s).rendered(pretty: false) }
}
