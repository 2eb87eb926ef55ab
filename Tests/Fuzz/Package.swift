// swift-tools-version:5.9
import Foundation
import PackageDescription

// libFuzzer executables, one per fuzz target, over the root package's `FuzzEntries`. Built only
// with `swift build --sanitize=fuzzer --sanitize=address` (libFuzzer supplies `main`), by
// `tools/fuzz.sh`; the root package's build and tests never see this package.
let targets = ["safetensors", "config", "bpe", "wordpiece", "image-header", "image-decode", "coco", "hub-response", "hub-discussions", "parquet"]

let package = Package(
    name: "clipdetect-fuzz",
    dependencies: [.package(name: "clipdetect", path: "../..")],
    targets: targets.map { name in
        .executableTarget(
            name: "fuzz-\(name)",
            dependencies: [.product(name: "FuzzEntries", package: "clipdetect")],
            path: "Targets/\(name)",
            exclude: ["corpus", "regressions"].filter { FileManager.default.fileExists(atPath: "\(Context.packageDirectory)/Targets/\(name)/\($0)") })
    }
)
