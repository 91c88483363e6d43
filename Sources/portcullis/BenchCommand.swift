import ArgumentParser
import PortcullisEngine

/// `portcullis bench`: load-tests a rule set on recorded or written requests, without a network,
/// or (`--compare`) lists the requests two rule sets decide differently.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Load-test a rule set on a request file without a network, or compare two rule sets' verdicts.",
        discussion: """
            The request file holds raw HTTP requests separated by lines '###', or one URL per line \
            ('/path?q' or 'METHOD http://host/path'), or a block log (JSON lines) to replay. \
            See docs/TOOLS.md.
            """)

    @Option(help: "Rules file (default: the rules embedded in the binary, Rules/default.yaml).")
    var rules: String?

    @Option(help: "Request file.")
    var requests: String

    @Option(help: "Stop after this long, e.g. 5s or 500ms (default 5s unless --iterations is given).")
    var duration: String?

    @Option(help: "Stop each thread after this many passes over the request file.")
    var iterations: Int?

    @Option(help: "Threads (default: one per available core).")
    var threads: Int?

    @Option(help: "Rows in the table of costliest rules.")
    var top = 10

    @Option(help: "Client address the rules see.")
    var clientIP = ExampleRequest.clientAddress

    @Option(help: "Second rules file: list the requests whose verdicts differ instead of load-testing.")
    var compare: String?

    func validate() throws {
        if let duration, DurationText.parse(duration) == nil {
            throw ValidationError("bad --duration '\(duration)'; expected \(DurationText.expectedForms)")
        }
        if let iterations, iterations < 1 { throw ValidationError("--iterations must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if top < 1 { throw ValidationError("--top must be at least 1") }
    }

    func run() throws {
        let ruleSet = try RuleSetSource.load(rules)
        let bytes: [UInt8]
        switch FileBytes.read(requests) {
        case .success(let b): bytes = b
        case .failure(let failure): throw ToolFailure("cannot read \(requests): \(failure.message)")
        }
        let parsed: [BenchRequest]
        do {
            parsed = try BenchRequestFile.parse(bytes, client: Array(clientIP.utf8))
        } catch {
            throw ToolFailure("\(requests):\(error.line): \(error.message)")
        }
        if let compare {
            let other = try RuleSetSource.load(compare)
            let result = RuleSetComparison(ruleSet, other).run(parsed)
            print(result.text(nameA: "\(ruleSet.name) (\(ruleSet.sourcePath))",
                              nameB: "\(other.name) (\(other.sourcePath))"), terminator: "")
            return
        }
        let limit = duration.flatMap(DurationText.parse) ?? (iterations == nil ? .seconds(5) : nil)
        var bench = try RuleSetBenchmark(ruleSet: ruleSet, requests: parsed, threads: threads ?? availableProcessors(),
                                         duration: limit, passes: iterations)
        // The profiling pass covers about a second's worth of work, measured on one pass.
        bench.profilePasses = bench.suggestedProfilePasses()
        print(bench.run().text(top: top), terminator: "")
    }
}
