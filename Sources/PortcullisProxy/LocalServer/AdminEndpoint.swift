import PortcullisEngine
import PortcullisProxy

/// The admin listener's answers. Loopback by default; `/metrics` and `POST /reload` arrive with
/// the observability and rule-engine work.
enum AdminEndpoint {
    static func handle(_ request: LocalRequest, ruleSet: CompiledRuleSet) -> LocalResponse {
        switch request.path {
        case "/healthz":
            return LocalResponse(status: 200, body: "ok\n")
        case "/rules":
            let json = """
                {"name":\(jsonString(ruleSet.name)),"source":\(jsonString(ruleSet.sourcePath)),\
                "rules":\(ruleSet.ruleCount),"default_action":\(jsonString(ruleSet.defaultAction.rawValue))}

                """
            return LocalResponse(status: 200, contentType: "application/json", body: json)
        default:
            return LocalResponse(status: 404, body: "not found; try /healthz or /rules\n")
        }
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where u.value < 0x20: out += "\\u00" + String(u.value, radix: 16).leftPadded(2)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
