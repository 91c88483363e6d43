import ArgumentParser
import PortcullisEngine

/// `portcullis explain`: evaluates one request and prints every step, for learning the rule
/// language and for finding out why a request was blocked.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Evaluate one request and show each step: rules, values, transformations, operators, decision.",
        discussion: """
            The request is raw HTTP read from FILE (or stdin when FILE is - or absent), or built \
            from --url like curl. Examples:
              portcullis explain --url 'http://shop.test/search?q=1%27%20union%20select%201--'
              printf 'GET /a?x=1 HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n' | portcullis explain --json
            """)

    @Option(help: "Rules file (default: the rules embedded in the binary, Rules/default.yaml).")
    var rules: String?

    @Argument(help: "File with one raw HTTP request (- for stdin). Not with --url.")
    var file: String?

    @Option(help: "Build the request from this URL (http://host/path?query or /path?query).")
    var url: String?

    @Option(help: "Method for --url (default GET, or POST with --data).")
    var method: String?

    @Option(name: .customLong("header"), help: "Header for --url, as 'Name: value' (repeatable).")
    var headers: [String] = []

    @Option(help: "Body for --url (sent as application/x-www-form-urlencoded unless a header says otherwise).")
    var data: String?

    @Option(help: "Client address the rules see.")
    var clientIP = ExampleRequest.clientAddress

    @Option(help: "Evaluate this many identical requests first (rate limits count from empty counters).")
    var repeatBefore = 0

    @Flag(help: "Print the trace as JSON.")
    var json = false

    @Option(help: "Longest value shown, in bytes (default 120 for text, 4096 for JSON).")
    var maxValue: Int?

    func validate() throws {
        if url != nil && file != nil { throw ValidationError("give either a request FILE or --url, not both") }
        if url == nil && (method != nil || !headers.isEmpty || data != nil) {
            throw ValidationError("--method, --header and --data go with --url")
        }
        if let maxValue, maxValue < 1 { throw ValidationError("--max-value must be at least 1") }
        if repeatBefore < 0 || repeatBefore > 1_000_000 { throw ValidationError("--repeat-before must be 0…1000000") }
    }

    func run() throws {
        let ruleSet = try RuleSetSource.load(rules)
        let parsed: ExplainRequest.Parsed
        let built: Result<ExplainRequest.Parsed, ExampleRequestError>
        if let url {
            built = ExplainRequest.url(url, method: method, headers: headers, data: data.map { Array($0.utf8) })
        } else {
            let path = file ?? "-"
            switch FileBytes.read(path == "-" ? "/dev/stdin" : path) {
            case .success(let bytes): built = ExplainRequest.raw(bytes)
            case .failure(let failure):
                throw ToolFailure("cannot read \(path == "-" ? "stdin" : path): \(failure.message)")
            }
        }
        switch built {
        case .success(let p): parsed = p
        case .failure(let error): throw ToolFailure("not a request the proxy would accept: \(error.message)")
        }
        var scratch = EvaluationScratch()
        let trace = ExplainTrace.record(Inspector(ruleSet: ruleSet), head: parsed.head, body: parsed.body,
                                        client: Array(clientIP.utf8), earlierRequests: repeatBefore, scratch: &scratch)
        if json {
            print(ExplainJSONFormatter(valueLimit: maxValue ?? 4096).format(trace), terminator: "")
        } else {
            print(ExplainTextFormatter(valueLimit: maxValue ?? 120).format(trace), terminator: "")
        }
    }
}

/// The rule set a tool command works on: a rules file, or the embedded default rules.
enum RuleSetSource {
    static func load(_ path: String?) throws -> CompiledRuleSet {
        do {
            if let path { return try RuleSetLoader().load(contentsOf: path) }
            return try EmbeddedRules.load()
        } catch {
            throw ToolFailure("\(error)")
        }
    }
}

/// A tool command that cannot go on (unreadable file, bad request, broken rules): printed as
/// `Error: …` with exit status 1, without the usage text a mistyped flag gets.
struct ToolFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
