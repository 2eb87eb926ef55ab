import FuzzEntries
import Foundation
import XCTest

/// Replays every committed seed and regression input of every fuzz target through the same
/// entry the libFuzzer executables call (CI's fuzz regression; the long campaigns are
/// `tools/fuzz.sh`). A crash, trap or hang here fails the suite.
final class FuzzCorpusTests: XCTestCase {
    func testEveryTargetHasASeedCorpus() throws {
        for target in FuzzTarget.allCases {
            XCTAssertFalse(try inputs(target.corpusFolder).isEmpty, "\(target.rawValue): no seed corpus at \(target.corpusFolder.path)")
        }
    }

    func testSeedCorporaAndRegressionsRunCleanly() throws {
        let scratch = try FuzzTarget.makeScratchFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        var count = 0
        for target in FuzzTarget.allCases {
            for input in try inputs(target.corpusFolder) + inputs(target.regressionFolder) {
                target.run(try Data(contentsOf: input), scratch: scratch)
                count += 1
            }
        }
        XCTAssertGreaterThan(count, FuzzTarget.allCases.count)
    }

    private func inputs(_ folder: URL) throws -> [URL] {
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.path < $1.path }
    }
}
