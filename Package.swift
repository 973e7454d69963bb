// swift-tools-version: 6.1
import PackageDescription

/// The hot path keeps its state in queue-confined classes (window stores, slot tables, accumulators) and mutates
/// their arrays millions of times a second; the runtime's dynamic exclusivity checks on those accesses cost about
/// a tenth of all instructions (measured with callgrind). Exclusivity is still checked statically everywhere, and
/// dynamically in debug builds, where the tests run.
let hotPathSettings: [SwiftSetting] = [
  .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
]

let package = Package(
  name: "areaflow",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "areaflow", targets: ["areaflow"]),
    .library(name: "AreaflowH3", targets: ["AreaflowH3"]),
    .library(name: "AreaflowParquet", targets: ["AreaflowParquet"]),
    .library(name: "AreaflowCore", targets: ["AreaflowCore"]),
    .library(name: "AreaflowGenerate", targets: ["AreaflowGenerate"]),
    .library(name: "AreaflowRuntime", targets: ["AreaflowRuntime"]),
    .library(name: "AreaflowGTFSRealtime", targets: ["AreaflowGTFSRealtime"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
    // TLS for `run --http` (Hummingbird already depends on both) and bcrypt for its users file.
    .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.0.0"),
    .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
    // The runtime only: the GTFS-Realtime code is generated once and committed (scripts/generate-gtfs-rt.sh), so no
    // build runs protoc or the plugin.
    .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
  ],
  targets: [
    .systemLibrary(name: "CZstd", path: "Sources/CZstd"),
    .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
    .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
    // Cache prefetch hints (a header of static inline functions) for the window store's scattered slot updates.
    .systemLibrary(name: "CPrefetch", path: "Sources/CPrefetch"),
    // Debian's libmosquitto-dev: the MQTT client under `mqtt://` inputs.
    // libmosquitto through dlopen when an MQTT input opens (see its header), not linked into every process.
    .target(name: "CMosquitto", path: "Sources/CMosquitto"),
    // librdkafka (Debian librdkafka-dev) for `kafka://` inputs.
    // librdkafka through dlopen when a Kafka input or sink starts (scripts/generate-dlopen-shims.py).
    .target(name: "CRdKafka", path: "Sources/CRdKafka"),
    // Self-contained libraries below the core: they know nothing of configs, windows or areas.
    .target(name: "AreaflowH3", swiftSettings: hotPathSettings),
    .target(name: "AreaflowParquet", dependencies: ["CZstd"], swiftSettings: hotPathSettings),
    // The official GTFS-Realtime messages (gtfs-realtime.proto, kept beside the generated code it was made from).
    .target(
      name: "AreaflowGTFSRealtime", dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
      exclude: ["gtfs-realtime.proto"]),
    .target(
      name: "AreaflowCore",
      dependencies: ["AreaflowH3", "AreaflowParquet", "CZstd", "CPrefetch", .product(name: "Yams", package: "Yams"),
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: hotPathSettings
    ),
    // Synthetic streams and region files for `areaflow generate`, the tests and the benchmarks; not part of a
    // pipeline, so the core does not carry them.
    .target(name: "AreaflowGenerate", dependencies: ["AreaflowCore"]),
    .target(
      name: "AreaflowRuntime",
      dependencies: [
        "AreaflowCore", "AreaflowGTFSRealtime", "CZstd", "CZlib", "CMosquitto", "CRdKafka",
        .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"), .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
      ],
      swiftSettings: hotPathSettings
    ),
    .target(
      name: "AreaflowServer",
      dependencies: [
        "AreaflowCore", "AreaflowRuntime", .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdTLS", package: "hummingbird"),
        .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
        .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Crypto", package: "swift-crypto"), .product(name: "Yams", package: "Yams"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "Metrics", package: "swift-metrics"),
      ],
      // The map page is a file of its own, compiled into the module as bytes: see `MapPage`.
      resources: [.embedInCode("Resources/map.html")]
    ),
    .executableTarget(
      name: "areaflow",
      dependencies: [
        "AreaflowCore", "AreaflowGenerate", "AreaflowH3", "AreaflowRuntime", "AreaflowServer", "CMalloc",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
      ]
    ),
    .testTarget(name: "AreaflowH3Tests", dependencies: ["AreaflowH3"]),
    // The Parquet tests build their tables under the core's name for them (`SnapshotTable`) and two of them go
    // through the core's `ParquetSnapshotEncoder`; everything else they touch is the Parquet library's.
    .testTarget(name: "AreaflowParquetTests", dependencies: ["AreaflowParquet", "AreaflowCore"]),
    .testTarget(name: "AreaflowCoreTests", dependencies: ["AreaflowCore", "AreaflowGenerate"]),
    .testTarget(
      name: "AreaflowRuntimeTests",
      dependencies: [
        "AreaflowRuntime", "AreaflowCore", "AreaflowGTFSRealtime",
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ]),
    .testTarget(
      name: "AreaflowServerTests",
      dependencies: [
        "AreaflowServer", "AreaflowRuntime", "AreaflowCore",
        .product(name: "HummingbirdTesting", package: "hummingbird"),
      ]),
  ]
)
