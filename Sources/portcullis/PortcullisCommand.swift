import ArgumentParser

/// `portcullis`: a web application firewall that runs as an HTTP/1.1 reverse proxy.
struct PortcullisCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portcullis",
        abstract: "A web application firewall that runs as an HTTP/1.1 reverse proxy.",
        subcommands: [RunCommand.self, DemoCommand.self, CheckCommand.self, ExplainCommand.self, BenchCommand.self])
}
