// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Antre",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "antred", targets: ["antred"]),
        .executable(name: "antre", targets: ["antre"]),
        .executable(name: "antre-bench", targets: ["antre-bench"]),
        .executable(name: "antre-board", targets: ["antre-board"]),
        // For the fuzz targets in Fuzz/ (a separate package that depends on this one).
        .library(name: "ESCPOS", targets: ["ESCPOS"]),
        .library(name: "AntreCore", targets: ["AntreCore"]),
        .library(name: "AntreWire", targets: ["AntreWire"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", exact: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.0.0"),
    ],
    targets: [
        // System libraries and C shims.
        .systemLibrary(
            name: "CLibUSB", pkgConfig: "libusb-1.0",
            providers: [.apt(["libusb-1.0-0-dev"])]),
        .target(name: "CLinuxShims"),
        // Small POSIX helpers shared by devices, client and notifier: sockaddr_un, EINTR, poll, durations.
        .target(name: "AntrePosix", swiftSettings: strict),

        // Generic ESC/POS: receipt document -> bytes, bytes -> text, status bytes.
        .target(name: "ESCPOS", swiftSettings: strict),
        // Pure core: config model, queue rules, numbering, days, ticket layout, buttons.
        .target(
            name: "AntreCore",
            dependencies: ["ESCPOS", .product(name: "TOMLKit", package: "TOMLKit")],
            swiftSettings: strict),
        // The queue in SQLite: the only place SQL lives.
        .target(
            name: "AntreStore",
            dependencies: ["AntreCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
        // Varlink framing, io.antre.Queue types and IDL, blocking client.
        .target(
            name: "AntreWire", dependencies: ["AntreCore", "AntrePosix"],
            swiftSettings: strict),
        // Printers and button inputs, one file per transport.
        .target(
            name: "AntreDevices",
            dependencies: ["AntreCore", "AntrePosix", "ESCPOS", "CLinuxShims", "CLibUSB",
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // systemd integration without libsystemd: sd_notify datagrams, watchdog timing.
        .target(name: "AntreSystemd", dependencies: ["AntrePosix"], swiftSettings: strict),
        // The daemon: dispenser pipelines, the queue desk, control socket, one ServiceGroup lifecycle.
        .target(
            name: "AntreDaemon",
            dependencies: ["AntreCore", "AntreStore", "AntreWire", "AntreDevices", "ESCPOS", "AntreSystemd", "AntrePosix",
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .executableTarget(
            name: "antred",
            dependencies: ["AntreDaemon", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        .executableTarget(
            name: "antre",
            dependencies: ["AntreWire", "AntreCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        // The waiting room: call-out voice (clips or espeak-ng, chime, cache, queue), the board's
        // live model fed by antred's Monitor, and its HTTP server (TV page, phone page, SSE, audio).
        .target(
            name: "AntreBoard",
            dependencies: ["AntreCore", "AntreWire",
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .executableTarget(
            name: "antre-board",
            dependencies: ["AntreBoard", "AntreCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        .executableTarget(
            name: "antre-bench",
            dependencies: ["AntreCore", "AntrePosix", "AntreStore", "AntreWire", "ESCPOS", "CLinuxShims",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),

        // Test helper: drives a USB printer or evdev input in a child process under umockdev.
        .executableTarget(
            name: "antre-devprobe",
            dependencies: ["AntreDevices", "AntreCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // Shared by test targets: ptys, emupos harness, temp dirs, child processes.
        .target(
            name: "AntreTestSupport", dependencies: ["CLinuxShims"],
            path: "Tests/AntreTestSupport", swiftSettings: strict),

        .testTarget(name: "ESCPOSTests", dependencies: ["ESCPOS", "AntreTestSupport"], swiftSettings: strict),
        .testTarget(name: "AntreCoreTests", dependencies: ["AntreCore", "AntreTestSupport"], swiftSettings: strict),
        .testTarget(name: "AntreBoardTests", dependencies: ["AntreBoard", "AntreCore", "AntreWire", "AntreTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "AntreStoreTests", dependencies: ["AntreStore", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: strict),
        .testTarget(name: "AntrePosixTests", dependencies: ["AntrePosix"], swiftSettings: strict),
        .testTarget(name: "AntreSystemdTests", dependencies: ["AntreSystemd"], swiftSettings: strict),
        .testTarget(name: "AntreWireTests", dependencies: ["AntreWire"], swiftSettings: strict),
        .testTarget(name: "AntreDevicesTests", dependencies: ["AntreDevices", "AntreCore", "CLinuxShims", "AntreTestSupport", "ESCPOS"], swiftSettings: strict),
        .testTarget(
            name: "AntreDaemonTests",
            dependencies: ["AntreDaemon", "AntreCore", "AntreStore", "AntreDevices", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["AntreWire", "AntreCore", "AntreStore", "ESCPOS", "CLinuxShims", "AntreTestSupport"],
            swiftSettings: strict),
    ]
)
