import ArgumentParser
import CShim
import PortcullisEngine
import PortcullisProxy

/// Flags shared by `run` and `demo`; each is also a key of the config file (flags win).
struct ProxyOptions: ParsableArguments {
    @Option(help: "Address to accept clients on (default \(Settings.defaultListen)).")
    var listen: String?

    @Option(help: "The app to protect, http://host:port (default \(Settings.defaultUpstream)).")
    var upstream: String?

    @Option(help: "Rules file (default \(Settings.defaultRules), or the embedded copy when absent).")
    var rules: String?

    @Option(help: "Admin listener for /metrics, /healthz, /rules and POST /reload, default \(Settings.defaultAdmin); off disables it.")
    var admin: String?

    @Flag(name: .customLong("admin-public"), help: "Allow the admin listener on a non-loopback address.")
    var adminPublic = false

    @Option(name: .customLong("block-log"), help: "Write blocked and counted requests as JSON lines to this file (- for stdout).")
    var blockLog: String?

    @Option(help: "YAML config file with the same settings plus timeouts, limits and forwarding.")
    var config: String?

    @Option(help: "Event loops (default: one per CPU this process may use).")
    var loops: Int?

    @Option(name: .customLong("upstream-timeout"), help: "Longest wait for upstream bytes, e.g. 30s (default 60s).")
    var upstreamTimeout: String?

    /// The flags as settings, validated.
    func flagSettings() throws -> Settings {
        var s = Settings()
        s.listen = listen
        s.upstream = upstream
        s.rules = rules
        s.admin = admin
        if adminPublic { s.adminPublic = true }
        s.blockLogPath = blockLog
        if let loops {
            guard loops >= 1 else { throw ValidationError("--loops must be at least 1") }
            s.loops = loops
        }
        if let upstreamTimeout {
            guard let d = DurationText.parse(upstreamTimeout) else {
                throw ValidationError("--upstream-timeout: expected \(DurationText.expectedForms)")
            }
            s.upstreamTimeout = d
        }
        return s
    }

    /// Embedded defaults, then the config file, then the flags.
    func settings() throws -> Settings {
        var s = Settings()
        if let config { s = s.overridden(by: try ConfigFile.load(path: config)) }
        return s.overridden(by: try flagSettings())
    }
}

/// `portcullis run`: the proxy in front of one upstream.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the firewall in front of an upstream web app.")

    @OptionGroup var options: ProxyOptions

    func run() throws {
        let settings = try options.settings()
        let launcher = try Launcher(settings: settings)
        launcher.announce()
        launcher.runUntilStopped()
    }
}

/// `portcullis demo`: a built-in demo app on 127.0.0.1:8081 with the proxy on 127.0.0.1:8080 in
/// front of it, and a few commands to try.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start a small demo app and the firewall in front of it, and show what to try.")

    @Option(help: "Address of the demo app (default 127.0.0.1:8081).")
    var app: String = "127.0.0.1:8081"

    @OptionGroup var options: ProxyOptions

    func run() throws {
        var settings = try options.settings()
        if settings.upstream == nil { settings.upstream = "http://\(app)" }
        // The demo shows what the firewall does: the block log on the terminal unless given
        // otherwise (metrics are on the admin address as for `run`).
        if settings.blockLogPath == nil { settings.blockLogPath = "-" }
        let launcher = try Launcher(settings: settings)
        try launcher.startDemoApp(at: app)
        launcher.announce()
        let front = settings.listen ?? Settings.defaultListen
        print("""

            Try these in another terminal:
              curl -i http://\(front)/                           # the demo app, through the firewall
              curl -s http://\(front)/headers                    # what the app receives (X-Forwarded-For …)
              curl -s 'http://\(front)/hello?name=you'
              curl -s -d 'user=alice&password=secret' http://\(front)/login
              curl -s --data-binary @README.md http://\(front)/echo | head -3
              curl -i -H 'Content-Length: 1' -H 'Transfer-Encoding: chunked' -d x http://\(front)/   # smuggling attempt: 400

            And some the default rules block (403, with the rule's id):
              curl -i "http://\(front)/search?q=1%27%20OR%20%271%27%3D%271"          # SQL injection
              curl -i "http://\(front)/search?q=%3Cscript%3Ealert(1)%3C/script%3E"   # cross-site scripting
              curl -i --path-as-is "http://\(front)/static/../../etc/passwd"        # path traversal
              curl -i -d 'user=x;cat /etc/passwd' http://\(front)/login                # command injection
              curl -i -A 'sqlmap/1.7' http://\(front)/                                  # a scanner

            And a rate limit (rule 2001: 10 login attempts per client per minute, then 429 with Retry-After):
              for i in $(seq 12); do curl -s -o /dev/null -w '%{http_code} ' -d 'user=alice&password=guess'"$i" http://\(front)/login; done; echo

            Each block is printed below as a block-log line (JSON). Counters:
              curl -s http://\(settings.effectiveAdmin ?? Settings.defaultAdmin)/metrics | grep -v '^#'

            Stop with Ctrl-C (in-flight requests finish first).
            """)
        launcher.runUntilStopped()
    }
}
