// swift-tools-version:6.1
// The engine on the five requests of `make bench` (get, args, post, attack, close), for
// instruction and allocation counts under valgrind: `Bench/ScenarioProfile/measure.sh`.
// A package of its own so the product build never carries it.
import PackageDescription

let package = Package(
    name: "ScenarioProfile",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Portcullis", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "ScenarioProfile",
            dependencies: [
                .product(name: "PortcullisEngine", package: "Portcullis"),
                .product(name: "PortcullisHTTP", package: "Portcullis"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
