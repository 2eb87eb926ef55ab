import Foundation
@testable import ModelHub
import TestSupport
import XCTest

/// A download into a cache on a full 64 KiB tmpfs and on a read-only one (mounted by the test;
/// skipped with the reason unless running as root): one-line `HubError` naming a cache path, and
/// no file left in the cache — no blob, no snapshot link, no `.incomplete` (a disk failure is not
/// resumable the way a cut connection is, and the partial would hold the space the user must free).
final class HubFullDiskTests: HubTestCase {
    func testDownloadIntoAFullOrReadOnlyCacheFailsCleanly() throws {
        for kind in [SmallMount.Kind.full, .readOnly] {
            let disk = try SmallMount(kind, test: self)
            defer { disk.unmount() }
            cacheFolder = disk.url.appendingPathComponent("hub")
            if kind == .readOnly { cacheFolder = disk.url }
            assertHubError(.cache, mentions: [disk.url.path]) {
                _ = try makeHub().modelFolder(for: HubModelID(repo: TinyModel.repo))
            }
            let left = FileManager.default.enumerator(atPath: disk.url.path)?.allObjects as? [String] ?? []
            let files = left.filter { path in
                var isDir: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: disk.url.appendingPathComponent(path).path, isDirectory: &isDir)
                // Empty lock files under .locks/ are the cache's own (huggingface_hub leaves them too).
                return !isDir.boolValue && path != SmallMount.fillerName && !path.hasPrefix(".locks/") && !path.contains("/.locks/")
            }
            XCTAssertEqual(files, [], "\(kind.rawValue): files left in the cache")
        }
    }
}
