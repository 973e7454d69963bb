// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so their dependencies never reach areaflow's users.
// Run: cd Benchmarks && swift package benchmark
let package = Package(
  name: "areaflow-benchmarks",
  platforms: [.macOS(.v14)],
  dependencies: [
    .package(name: "areaflow", path: ".."),
    .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
  ],
  targets: [
    .executableTarget(
      name: "CoreBenchmarks",
      dependencies: [
        .product(name: "Benchmark", package: "benchmark"),
        .product(name: "AreaflowCore", package: "areaflow"),
        .product(name: "AreaflowGenerate", package: "areaflow"),
        .product(name: "AreaflowH3", package: "areaflow"),
      ],
      path: "Benchmarks/CoreBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
  ]
)
