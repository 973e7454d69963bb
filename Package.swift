// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "areaflow",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "areaflow", targets: ["areaflow"]),
    .library(name: "AreaflowCore", targets: ["AreaflowCore"]),
    .library(name: "AreaflowRuntime", targets: ["AreaflowRuntime"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
  ],
  targets: [
    .systemLibrary(name: "CZstd", path: "Sources/CZstd"),
    .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
    .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
    .target(
      name: "AreaflowCore",
      dependencies: ["CZstd", .product(name: "Yams", package: "Yams")]
    ),
    .target(
      name: "AreaflowRuntime",
      dependencies: ["AreaflowCore", "CZstd", "CZlib"]
    ),
    .executableTarget(
      name: "areaflow",
      dependencies: [
        "AreaflowCore", "AreaflowRuntime", "CMalloc",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(name: "AreaflowCoreTests", dependencies: ["AreaflowCore"]),
    .testTarget(name: "AreaflowRuntimeTests", dependencies: ["AreaflowRuntime", "AreaflowCore"]),
  ]
)
