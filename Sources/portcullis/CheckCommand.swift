import ArgumentParser
import PortcullisEngine

/// `portcullis check FILE…`: compiles rules files, reports every error and warning with its
/// location, and runs each rule's examples. Exit status 0 only when all compiled and held.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compile rules files, report errors and warnings, and run each rule's examples.")

    @Argument(help: "Rules files to check.")
    var files: [String]

    @Flag(help: "Treat warnings (e.g. regexes prone to catastrophic backtracking) as failures.")
    var strict = false

    @Flag(help: "Print only problems.")
    var quiet = false

    func run() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one rules file") }
        let report = RuleSetChecker().check(paths: files)
        for line in report.lines(quiet: quiet) { print(line) }
        if !report.passed(strict: strict) { throw ExitCode.failure }
    }
}
