import Foundation

/// One snapshot found in the hub cache.
public struct CachedSnapshot: Sendable {
    /// `ORG/NAME`.
    public let repo: String
    public let commit: String
    /// Branches and tags in `refs/` that point at this commit (e.g. `["main"]`).
    public let refs: [String]
    public let folder: URL
    /// Bytes of the files the snapshot links to.
    public let size: Int64
    /// What this snapshot lacks to be a model folder (see `ModelHub.missingFiles`), e.g. the
    /// tokenizer when `transformers` fetched only the weights.
    public let missingFiles: [String]

    /// The id that selects this snapshot: `ORG/NAME` for `main`, else `ORG/NAME@ref` or `@commit`.
    public var id: String {
        if refs.contains(HubModelID.defaultRevision) { return repo }
        return "\(repo)@\(refs.first ?? commit)"
    }
}

extension HubCache {
    /// Every model snapshot under the cache root, sorted by repo then commit. Never touches the
    /// network; unreadable entries are skipped.
    public func snapshots() -> [CachedSnapshot] {
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: root.path) else { return [] }
        var found: [CachedSnapshot] = []
        for entry in entries.sorted() where entry.hasPrefix("models--") {
            let parts = entry.dropFirst("models--".count).components(separatedBy: "--")
            guard parts.count == 2 else { continue }
            let repo = parts.joined(separator: "/")
            let refsByCommit = refs(repo)
            let snapshotsFolder = repoFolder(repo).appendingPathComponent("snapshots")
            for commit in ((try? fm.contentsOfDirectory(atPath: snapshotsFolder.path)) ?? []).sorted() {
                let folder = snapshotsFolder.appendingPathComponent(commit)
                found.append(CachedSnapshot(
                    repo: repo, commit: commit, refs: refsByCommit[commit, default: []].sorted(), folder: folder,
                    size: HubCache.size(ofFilesIn: folder),
                    missingFiles: ModelHub.missingFiles(in: self, repo: repo, commit: commit)))
            }
        }
        return found
    }

    /// Total size of the regular files in `folder` (links followed, sub-folders included).
    public static func size(ofFilesIn folder: URL) -> Int64 {
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return 0 }
        var total: Int64 = 0
        for case let path as String in walker {
            let url = folder.appendingPathComponent(path).resolvingSymlinksInPath()
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
                  attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            total += (attributes[.size] as? NSNumber)?.int64Value ?? 0
        }
        return total
    }

    private func refs(_ repo: String) -> [String: [String]] {
        let folder = repoFolder(repo).appendingPathComponent("refs")
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return [:] }
        var byCommit: [String: [String]] = [:]
        for case let name as String in walker {
            if let commit = commit(repo, revision: name), !HubModelID.isCommitHash(name) {
                byCommit[commit, default: []].append(name)
            }
        }
        return byCommit
    }
}
