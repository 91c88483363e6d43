// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]
/// Release builds of the per-request targets skip the run-time exclusivity checks: measured with
/// callgrind on the proxy (no rules, a new connection per request) they were ≈50 `swift_beginAccess`
/// calls and ≈3,500 instructions per request; in the engine, 2.3 % of a plain GET's inspection
/// (Bench/ScenarioProfile). Debug builds, and so `swift test`, keep them.
let hotPath: [SwiftSetting] = strict + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "Portcullis",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "portcullis", targets: ["portcullis"]),
        .library(name: "PortcullisHTTP", targets: ["PortcullisHTTP"]),
        .library(name: "PortcullisEngine", targets: ["PortcullisEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8",
                       providers: [.apt(["libpcre2-dev"])]),
        .target(name: "CShim", cSettings: [.define("_GNU_SOURCE")]),
        .target(name: "PortcullisHTTP", swiftSettings: hotPath),
        .target(name: "PortcullisEngine",
                dependencies: ["PortcullisHTTP", "CPCRE2", "CShim", .product(name: "Yams", package: "Yams")],
                swiftSettings: hotPath),
        .target(name: "PortcullisProxy",
                dependencies: ["PortcullisHTTP", "PortcullisEngine", "CShim",
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "CoreMetrics", package: "swift-metrics"),
                               .product(name: "Prometheus", package: "swift-prometheus")],
                swiftSettings: hotPath),
        .executableTarget(name: "portcullis",
                          dependencies: ["PortcullisProxy", "PortcullisEngine", "PortcullisHTTP",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                         .product(name: "Logging", package: "swift-log"),
                                         .product(name: "Metrics", package: "swift-metrics"),
                                         .product(name: "Prometheus", package: "swift-prometheus"),
                                         .product(name: "Yams", package: "Yams")],
                          swiftSettings: strict),
        .testTarget(name: "PortcullisHTTPTests", dependencies: ["PortcullisHTTP"], swiftSettings: strict),
        .testTarget(name: "PortcullisEngineTests", dependencies: ["PortcullisEngine"], exclude: ["Fixtures"],
                    swiftSettings: strict),
        .testTarget(name: "PortcullisProxyTests",
                    dependencies: ["PortcullisProxy", "PortcullisHTTP", "PortcullisEngine", "CShim"],
                    swiftSettings: strict),
    ]
)
