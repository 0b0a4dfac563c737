// swift-tools-version:5.4
// libFuzzer targets for Antre: a separate package so the normal build never
// compiles them. Build and run them with scripts/fuzz.sh (it passes
// -sanitize=fuzzer,address and -parse-as-library, and uses .build-fuzz).
//
// Tools version 5.4 on purpose: from 5.5 SwiftPM links every executable with
// main renamed to <Target>_main (so tests can link executables), and that
// symbol does not exist when libFuzzer provides main(). Swift 6 language mode
// is asked for with a flag instead of .swiftLanguageMode.
import PackageDescription

let strict: [SwiftSetting] = [.unsafeFlags(["-swift-version", "6"])]

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
