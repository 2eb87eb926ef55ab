import Foundation
import XCTest
@testable import CLIP
import TestSupport

/// Paths in the source tree (fixtures are read in place so that their symlinks to the shipped
/// vocabulary in models/ keep working).
enum SourceTree {
    static let fixtures = TestFixtures.clipFixtures
    static let root = TestFixtures.packageRoot
    static let vocabulary = TestFixtures.clipVocabulary
    static let modelFixtures = TestFixtures.clipModelNames

    static func model(_ name: String) -> URL { TestFixtures.clipModelFolder(name) }
}

/// Copies a fixture model folder (resolving symlinks) so a test can damage it.
func copyOfFixtureModel(_ name: String, _ test: XCTestCase) throws -> URL {
    let dst = try temporaryFolder(test).appendingPathComponent(name)
    try FileManager.default.createDirectory(at: dst, withIntermediateDirectories: true)
    for file in ["config.json", "model.safetensors", "vocab.json", "merges.txt"] {
        let src = SourceTree.model(name).appendingPathComponent(file).resolvingSymlinksInPath()
        try FileManager.default.copyItem(at: src, to: dst.appendingPathComponent(file))
    }
    return dst
}
