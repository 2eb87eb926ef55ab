// swift-tools-version:5.9
import PackageDescription

// Module direction (see DESIGN.md): clipdetect → Detection → Imaging/CLIP → CBLAS, COpenCV.
// The CLIP model knows nothing of image files or detection; the OpenCV shim knows nothing of CLIP.
let package = Package(
    name: "clipdetect",
    products: [
        .library(name: "CLIP", targets: ["CLIP"]),
        .library(name: "Imaging", targets: ["Imaging"]),
        .library(name: "Detection", targets: ["Detection"]),
        .library(name: "Search", targets: ["Search"]),
        .library(name: "ModelHub", targets: ["ModelHub"]),
        .executable(name: "clipdetect", targets: ["clipdetect"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        // Carries OpenCV's and libjpeg's pkg-config flags to the C++ shim below.
        .systemLibrary(
            name: "COpenCVSystem", path: "Sources/COpenCVSystem", pkgConfig: "opencv4",
            providers: [.apt(["libopencv-dev", "libjpeg-dev"])]),
        .target(
            name: "COpenCV", dependencies: ["COpenCVSystem"], path: "Sources/COpenCV",
            cxxSettings: [.unsafeFlags(["-std=c++17", "-O2"])],
            linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("stdc++")]),
        .target(name: "CLIP", dependencies: ["CBLAS"], swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
        .target(name: "Imaging", dependencies: ["CLIP", "COpenCV"]),
        .target(name: "Detection", dependencies: ["CLIP", "Imaging", "COpenCV"], swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
        // Embedding index and search over image folders (SQLite through GRDB).
        .target(name: "Search", dependencies: ["CLIP", "Imaging", "COpenCV", .product(name: "GRDB", package: "GRDB.swift")]),
        // Hugging Face hub downloads into the standard cache layout.
        .target(name: "ModelHub", dependencies: ["CLIP"]),
        .executableTarget(
            name: "clipdetect",
            dependencies: [
                "CLIP", "Imaging", "Detection", "Search", "ModelHub",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "CLIPTests", dependencies: ["CLIP"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "CLIP"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DetectionTests", dependencies: ["Detection", "CLIP", "Imaging"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SearchTests", dependencies: ["Search", "CLIP", "Imaging"]),
        .testTarget(name: "ModelHubTests", dependencies: ["ModelHub", "CLIP"]),
        // Runs the built `clipdetect` binary: exit codes, error lines, output files.
        .testTarget(name: "clipdetectTests", dependencies: ["clipdetect"]),
    ]
)
