import PortcullisEngine

/// The admin listener's answers: `GET /healthz`, `GET /rules` (the set in force), `POST /reload`.
/// Loopback by default. `/metrics` arrives with the observability work.
public enum AdminEndpoint {
    public static func handle(_ request: LocalRequest, reloader: RuleReloader) -> LocalResponse {
        switch (request.head.method, request.path) {
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
        case (_, "/healthz"), (_, "/rules"), (_, "/reload"):
            return LocalResponse(status: 405, body: "method not allowed\n")
        default:
            return LocalResponse(status: 404, body: "not found; try GET /healthz, GET /rules, POST /reload\n")
        }
    }

    static func describe(_ set: CompiledRuleSet, reloader: RuleReloader) -> String {
        let files = set.sourceFiles.map(jsonString).joined(separator: ",")
        let counts = reloader.counts
        return """
            {"name":\(jsonString(set.name)),"source":\(jsonString(set.sourcePath)),"files":[\(files)],\
            "rules":\(set.ruleCount),"default_action":\(jsonString(set.defaultAction.rawValue)),\
            "mode":\(jsonString(set.mode.rawValue)),"loaded_at_unix":\(set.loadedAt.components.seconds),\
            "reloads":{"ok":\(counts.ok),"failed":\(counts.failed)}}

            """
    }

    /// A JSON string literal for `s`.
    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
