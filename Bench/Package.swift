// swift-tools-version:6.1
// Benchmarks of the rule engine alone (ordo-one/benchmark). A package of its own so that the
// product build does not pull in the benchmark harness. Run from the repo root:
//   swift package --package-path Bench benchmark
import PackageDescription

let package = Package(
    name: "PortcullisBench",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Portcullis", path: ".."),
        // The trait selects the malloc interposer (malloc metrics) and leaves out the Swift 6.3
        // runtime interposer, a dependency that is not available here.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // What both benchmarks measure with: the thread's CPU clock around one iteration.
        .target(
            name: "BenchSupport",
            dependencies: [.product(name: "Benchmark", package: "benchmark")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "EngineBenchmark",
            dependencies: [
                "BenchSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PortcullisEngine", package: "Portcullis"),
                .product(name: "PortcullisHTTP", package: "Portcullis"),
            ],
            path: "Benchmarks/EngineBenchmark",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "RateLimitBenchmark",
            dependencies: [
                "BenchSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PortcullisEngine", package: "Portcullis"),
            ],
            path: "Benchmarks/RateLimitBenchmark",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
