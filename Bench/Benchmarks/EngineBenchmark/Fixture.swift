import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BenchSupport
import PortcullisEngine
import PortcullisHTTP

/// Everything the benchmarks share, built once before any iteration: the rule sets and the
/// corpus parsed to heads and bodies.
struct Fixture: Sendable {
    /// A corpus request after parsing: what the proxy hands the engine.
    struct Parsed: Sendable {
        var head: RequestHead
        var body: [UInt8]
    }

    let rules: CompiledRuleSet
    /// Where `rules` came from, relative to the repository root.
    let rulesSource: String
    let noRules: CompiledRuleSet
    let wire: [[UInt8]]
    let parsed: [Parsed]
    /// The client address every corpus request comes from (not loopback, so no allow-list rule
    /// short-cuts it).
    let clientAddress: [UInt8] = Array("203.0.113.9".utf8)

    static let shared = Fixture()

    /// The repository root, found from this file's path so the benchmark runs from any directory.
    static let repoRoot: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)   // Bench/Benchmarks/EngineBenchmark/Fixture.swift
        return parts.joined(separator: "/")
    }()

    private init() {
        let loader = RuleSetLoader()
        let candidates: [String]
        if let chosen = getenv("PORTCULLIS_BENCH_RULES").map({ String(cString: $0) }), !chosen.isEmpty {
            candidates = [chosen]
        } else {
            candidates = ["Rules/default.yaml", "Bench/fallback-rules.yaml"]
        }
        var picked: (CompiledRuleSet, String)?
        for candidate in candidates {
            let path = candidate.hasPrefix("/") ? candidate : "\(Self.repoRoot)/\(candidate)"
            let set: CompiledRuleSet
            do {
                set = try loader.load(contentsOf: path)
            } catch {
                fatalError("EngineBenchmark: cannot load \(path): \(error)")
            }
            // An empty default.yaml would measure nothing: take the next candidate.
            if set.ruleCount > 0 || candidate == candidates.last {
                picked = (set, candidate)
                break
            }
        }
        guard let picked else { fatalError("EngineBenchmark: no rule set") }
        rules = picked.0
        rulesSource = picked.1
        do {
            noRules = try loader.load(contentsOf: "\(Self.repoRoot)/Bench/no-rules.yaml")
        } catch {
            fatalError("EngineBenchmark: cannot load Bench/no-rules.yaml: \(error)")
        }
        wire = Corpus.entries.map(\.wire)
        parsed = Corpus.entries.map { entry in
            guard let p = Self.parse(entry.wire) else {
                fatalError("EngineBenchmark: corpus request \(entry.label) does not parse")
            }
            return p
        }
        precondition(parsed.count == 40, "one iteration is 25 passes over exactly 40 requests")
    }

    /// Parses one complete request as the proxy does (`ExampleRequest.parse`, the loop `portcullis
    /// check` uses): the head, then the body bytes collected. Nil for a request the parser refuses,
    /// that is incomplete or that has bytes left over.
    @inline(__always)
    static func parse(_ wire: [UInt8], parser: inout RequestParser) -> Parsed? {
        guard case .success(let p) = ExampleRequest.parse(wire: wire, parser: &parser) else { return nil }
        return Parsed(head: p.head, body: p.body)
    }

    static func parse(_ wire: [UInt8]) -> Parsed? {
        var parser = RequestParser()
        return parse(wire, parser: &parser)
    }

    /// A one-line account of what the rule set decides on the corpus, so a run shows that the
    /// rules do work (attacks blocked, ordinary requests allowed).
    func summary() -> String {
        let inspector = Inspector(ruleSet: rules)
        var scratch = EvaluationScratch()
        var attacksBlocked = 0, ordinaryBlocked: [String] = [], matched = 0
        for (entry, request) in zip(Corpus.entries, parsed) {
            let view = RequestView(head: request.head, clientAddress: clientAddress, body: request.body,
                                   receivedAt: VirtualClock.reserve(1))
            let (verdict, state) = inspector.decide(view, scratch: &scratch)
            matched += state.matches.count
            if case .block = verdict {
                if entry.attack { attacksBlocked += 1 } else { ordinaryBlocked.append(entry.label) }
            }
        }
        let attacks = Corpus.entries.filter(\.attack).count
        return "rules \(rulesSource) (\(rules.name), \(rules.ruleCount) rules); corpus \(parsed.count) requests: "
            + "\(attacksBlocked)/\(attacks) attacks blocked, \(ordinaryBlocked.count) ordinary blocked"
            + (ordinaryBlocked.isEmpty ? "" : " \(ordinaryBlocked)") + ", \(matched) rule matches"
    }
}

extension Fixture {
    /// CPU time per corpus request through `rules` (µs, median of `rounds`), most expensive
    /// first, with the rules that matched: where the time of benchmark (1) goes. Printed when
    /// PORTCULLIS_BENCH_BREAKDOWN is set.
    func breakdown(rounds: Int = 51) -> String {
        let inspector = Inspector(ruleSet: rules)
        var scratch = EvaluationScratch()
        var rows: [(label: String, micros: Double, matched: String)] = []
        for (entry, request) in zip(Corpus.entries, parsed) {
            var samples: [Int] = []
            var matched = ""
            for _ in 0..<rounds {
                let view = RequestView(head: request.head, clientAddress: clientAddress, body: request.body,
                                       receivedAt: VirtualClock.reserve(1))
                let start = threadCPUNanoseconds()
                let (_, state) = inspector.decide(view, scratch: &scratch)
                samples.append(threadCPUNanoseconds() - start)
                matched = state.matches.map { "\($0.ruleID)" }.joined(separator: ",")
            }
            samples.sort()
            rows.append((entry.label, Double(samples[rounds / 2]) / 1000, matched))
        }
        let total = rows.reduce(0) { $0 + $1.micros }
        var out = "per request (µs, median of \(rounds)), corpus mean \(Int(total / Double(rows.count))) µs:\n"
        for row in rows.sorted(by: { $0.micros > $1.micros }) {
            let micros = (row.micros * 10).rounded() / 10
            out += "  \(row.label): \(micros)" + (row.matched.isEmpty ? "" : "  matched \(row.matched)") + "\n"
        }
        return out
    }
}

/// The "now" of the corpus requests (rate limits read it): every request is one `step` after the
/// one before, across all benchmarks, so the default rules' login-burst limit (one attempt per
/// 6 s after a burst of 10) never trips and every iteration measures the same work.
enum VirtualClock {
    static let step: UInt64 = 6_000_000_000
    private static let next = Atomic<UInt64>(step)

    /// The time of the first of `count` consecutive requests.
    static func reserve(_ count: Int) -> UInt64 {
        next.add(UInt64(count) * step, ordering: .relaxed).oldValue
    }
}
