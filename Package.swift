// swift-tools-version:6.0
import PackageDescription

// Warnings are errors in CI (`make build` passes -warnings-as-errors); the
// manifest stays free of unsafe flags so it can be used as a dependency.
//
// SealDrop is a Linux server: it imports Glibc and uses epoll, prctl and
// /proc directly, so no other platform is declared or pretended.
let package = Package(
    name: "SealDrop",
    products: [
        .executable(name: "sealdrop", targets: ["sealdrop"]),
        .library(name: "SealDrop", targets: ["SealDrop"]),
    ],
    targets: [
        // C libraries, each reached through exactly one Swift module below.
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CMariaDB", pkgConfig: "libmariadb", providers: [.apt(["libmariadb-dev"])]),

        .target(name: "FastCGI", dependencies: ["CFastCGI"]),
        .target(name: "Sodium", dependencies: ["CSodium"]),
        .target(name: "MariaDB", dependencies: ["CMariaDB"]),

        // The sender page (Web/ and Debian's tweetnacl) is embedded by a build-tool plugin.
        .target(name: "SealDrop", dependencies: ["FastCGI", "Sodium", "MariaDB"], plugins: ["EmbedWebPlugin"]),
        .executableTarget(name: "sealdrop", dependencies: ["SealDrop"]),
        .executableTarget(name: "EmbedWeb"),
        .plugin(name: "EmbedWebPlugin", capability: .buildTool(), dependencies: ["EmbedWeb"]),

        .target(name: "TestSupport", dependencies: ["Sodium"], path: "Tests/Support"),
        .testTarget(name: "SodiumTests", dependencies: ["Sodium"]),
        .testTarget(name: "MariaDBTests", dependencies: ["MariaDB", "TestSupport"]),
        .testTarget(name: "SealDropTests", dependencies: ["SealDrop", "TestSupport"], exclude: ["Regressions"]),
        .testTarget(name: "EndToEndTests", dependencies: ["Sodium", "MariaDB", "TestSupport"]),
        // SealDrop on a 3-node Galera cluster: `make test-cluster` (make test skips it).
        .testTarget(name: "ClusterTests", dependencies: ["Sodium", "MariaDB", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
