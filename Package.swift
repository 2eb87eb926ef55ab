// swift-tools-version:5.9
import PackageDescription

// The module map, the rules (module direction, strict loading, the shim boundary) and where a new
// model family plugs in: ARCHITECTURE.md. In short: clipdetect → Serving/Evaluation/Search/ModelHub →
// Detection → Imaging/CLIP → CBLAS, COpenCV. The CLIP model knows nothing of image files or
// detection; the OpenCV shim knows nothing of CLIP. No unsafe compiler flags, so other packages can depend
// on these libraries by version.
let package = Package(
    name: "clipdetect",
    products: [
        .library(name: "CLIP", targets: ["CLIP"]),
        .library(name: "Imaging", targets: ["Imaging"]),
        .library(name: "Detection", targets: ["Detection"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
        .library(name: "Search", targets: ["Search"]),
        .library(name: "ModelHub", targets: ["ModelHub"]),
        .library(name: "Serving", targets: ["Serving"]),
        .executable(name: "clipdetect", targets: ["clipdetect"]),
        // The fuzz targets' bodies, for the libFuzzer package in Tests/Fuzz (not an API).
        .library(name: "FuzzEntries", targets: ["FuzzEntries"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        // Carries OpenCV's and libjpeg's pkg-config flags to the C++ shim below.
        .systemLibrary(
            name: "COpenCVSystem", path: "Sources/COpenCVSystem", pkgConfig: "opencv4",
            providers: [.apt(["libopencv-dev", "libjpeg-dev"])]),
        // Carries fontconfig's (and FreeType's) pkg-config flags to the shim's text half.
        .systemLibrary(
            name: "CFontconfigSystem", path: "Sources/CFontconfigSystem", pkgConfig: "fontconfig",
            providers: [.apt(["libfontconfig-dev"])]),
        .target(
            name: "COpenCV", dependencies: ["COpenCVSystem", "CFontconfigSystem"], path: "Sources/COpenCV",
            linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("stdc++")]),
        // Kernels in C, AVX2 + FMA chosen at run time: row kernels (softmax exponentials, MLP
        // activations) and the attention core (scores, softmax and weighted values per head).
        .target(name: "CKernels", path: "Sources/CKernels"),
        .target(name: "CLIP", dependencies: ["CBLAS", "CKernels"]),
        .target(name: "Imaging", dependencies: ["CLIP", "COpenCV"]),
        .target(name: "Detection", dependencies: ["CLIP", "Imaging", "COpenCV"]),
        // COCO ground truth, the pycocotools-exact evaluator and the detect-over-a-folder loop.
        .target(name: "Evaluation", dependencies: ["CLIP", "Imaging", "Detection"]),
        // Embedding index and search over image folders (SQLite through GRDB).
        .target(name: "Search", dependencies: ["CLIP", "Imaging", "COpenCV", .product(name: "GRDB", package: "GRDB.swift")]),
        // Hugging Face hub downloads into the standard cache layout.
        .target(name: "ModelHub", dependencies: ["CLIP"]),
        // `clipdetect serve`: the HTTP API and web page over a loaded model (Hummingbird 2).
        .target(
            name: "Serving",
            dependencies: [
                "CLIP", "Imaging", "Detection", "Search",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MultipartKit", package: "multipart-kit"),
            ],
            resources: [.embedInCode("Resources/index.html"), .embedInCode("Resources/openapi.yaml")]),
        .executableTarget(
            name: "clipdetect",
            dependencies: [
                "CLIP", "Imaging", "Detection", "Evaluation", "Search", "ModelHub", "Serving",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // Helpers every test target shares: temporary folders, fixture paths, error assertions.
        .target(name: "TestSupport", dependencies: ["CLIP"], path: "Tests/TestSupport"),
        // One entry per fuzz target (README "Fuzzing"; libFuzzer package in Tests/Fuzz); FuzzCorpusTests replays the corpora.
        .target(name: "FuzzEntries", dependencies: ["CLIP", "Imaging", "Detection", "Evaluation", "ModelHub", "Search"], path: "Tests/Fuzz/Entries"),
        .testTarget(name: "FuzzCorpusTests", dependencies: ["FuzzEntries"], path: "Tests/Fuzz/CorpusTests"),
        .testTarget(name: "CLIPTests", dependencies: ["CLIP", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "CLIP", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DetectionTests", dependencies: ["Detection", "CLIP", "Imaging", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Detection", "CLIP", "Imaging", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SearchTests", dependencies: ["Search", "CLIP", "Imaging", "TestSupport"]),
        .testTarget(name: "ModelHubTests", dependencies: ["ModelHub", "CLIP", "TestSupport"]),
        // Starts the real server on a loopback port and talks HTTP to it.
        .testTarget(name: "ServingTests", dependencies: ["Serving", "Detection", "CLIP", "Imaging", "Search", "TestSupport"]),
        // Runs the built `clipdetect` binary: exit codes, error lines, output files.
        .testTarget(name: "clipdetectTests", dependencies: ["clipdetect", "TestSupport"]),
    ],
    cxxLanguageStandard: .cxx17
)
