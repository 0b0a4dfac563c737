// swift-tools-version:6.1
// libFuzzer targets for Antre: a separate package so the normal build never
// compiles them. Build and run them with scripts/fuzz.sh (it passes
// -sanitize=fuzzer,address and -parse-as-library, and uses .build-fuzz).
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "AntreFuzz",
    dependencies: [.package(name: "Antre", path: "..")],
    targets: [
        // Varlink bytes as a client sends them: framer, call decoder, dispatcher.
        .executableTarget(
            name: "FuzzVarlink",
            dependencies: [.product(name: "AntreWire", package: "Antre"),
                           .product(name: "AntreCore", package: "Antre")],
            swiftSettings: strict),
        // Config text as a technician writes it: loader, then the ticket it prints.
        .executableTarget(
            name: "FuzzConfig",
            dependencies: [.product(name: "AntreCore", package: "Antre"),
                           .product(name: "ESCPOS", package: "Antre")],
            swiftSettings: strict),
    ]
)
