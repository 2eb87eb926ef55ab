import Foundation

/// The Hugging Face cache layout, shared with `huggingface_hub` / `transformers`:
///
/// ```
/// <cache>/models--ORG--NAME/
///     blobs/<etag>                      file contents, named by sha256 (LFS) or git blob id
///     snapshots/<commit>/<file>         relative symlink to ../../blobs/<etag>
///     refs/<revision>                   commit hash a branch or tag pointed to when last fetched
///     .no_exist/<commit>/<file>         empty marker: the hub said this optional file is absent
/// ```
///
/// Every write is atomic (temp + rename), so a reader — this tool or `transformers` — never
/// sees a half-written blob, link or ref.
public struct HubCache: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    /// `models--ORG--NAME`, as `repo_folder_name` spells it.
    public func repoFolder(_ repo: String) -> URL {
        root.appendingPathComponent("models--" + repo.replacingOccurrences(of: "/", with: "--"))
    }

    public func blob(_ repo: String, etag: String) -> URL {
        repoFolder(repo).appendingPathComponent("blobs/\(etag)")
    }

    /// Where an interrupted download of `etag` keeps its bytes for the next attempt.
    public func incompleteBlob(_ repo: String, etag: String) -> URL {
        repoFolder(repo).appendingPathComponent("blobs/\(etag).incomplete")
    }

    public func snapshot(_ repo: String, commit: String) -> URL {
        repoFolder(repo).appendingPathComponent("snapshots/\(commit)")
    }

    /// The commit a branch or tag pointed to when it was last fetched; `revision` itself when it is a commit.
    public func commit(_ repo: String, revision: String) -> String? {
        if HubModelID.isCommitHash(revision) { return revision }
        let ref = repoFolder(repo).appendingPathComponent("refs/\(revision)")
        guard let text = try? String(contentsOf: ref, encoding: .utf8) else { return nil }
        let commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return HubModelID.isCommitHash(commit) ? commit : nil
    }

    /// Records that `revision` now means `commit` (no-op for a commit hash or an unchanged ref).
    public func writeRef(_ repo: String, revision: String, commit: String) throws {
        guard revision != commit, self.commit(repo, revision: revision) != commit else { return }
        let ref = repoFolder(repo).appendingPathComponent("refs/\(revision)")
        try writeAtomically(Data(commit.utf8), to: ref)
    }

    /// Whether the snapshot has `file` (following its link into `blobs/`).
    public func hasFile(_ repo: String, commit: String, file: String) -> Bool {
        FileManager.default.fileExists(atPath: snapshot(repo, commit: commit).appendingPathComponent(file).path)
    }

    /// Whether the hub told us earlier that `file` does not exist at `commit`.
    public func knownMissing(_ repo: String, commit: String, file: String) -> Bool {
        FileManager.default.fileExists(atPath: repoFolder(repo).appendingPathComponent(".no_exist/\(commit)/\(file)").path)
    }

    /// Remembers that `file` does not exist at `commit`, as `huggingface_hub` does, so neither
    /// tool asks again. Best effort: a read-only cache only costs a request next time.
    public func markMissing(_ repo: String, commit: String, file: String) {
        let marker = repoFolder(repo).appendingPathComponent(".no_exist/\(commit)/\(file)")
        try? FileManager.default.createDirectory(at: marker.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: marker.path, contents: Data())
    }

    /// Points `snapshots/<commit>/<file>` at `blobs/<etag>` with a relative link, replacing any
    /// previous entry in one `rename`.
    public func link(_ repo: String, commit: String, file: String, etag: String) throws {
        let pointer = snapshot(repo, commit: commit).appendingPathComponent(file)
        let depth = file.split(separator: "/").count - 1 + 2
        let target = String(repeating: "../", count: depth) + "blobs/\(etag)"
        do {
            try FileManager.default.createDirectory(at: pointer.deletingLastPathComponent(), withIntermediateDirectories: true)
            let temp = pointer.deletingLastPathComponent().appendingPathComponent(".\(pointer.lastPathComponent).\(UUID().uuidString).tmp")
            try FileManager.default.createSymbolicLink(atPath: temp.path, withDestinationPath: target)
            guard rename(temp.path, pointer.path) == 0 else {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temp)
                throw HubError(.cache, "\(pointer.path): cannot link into the cache (\(reason))")
            }
        } catch let e as HubError {
            throw e
        } catch {
            throw HubError(.cache, "\(pointer.path): cannot link into the cache (\(error.localizedDescription))")
        }
    }

    /// Writes `data` to `url` through a temporary file and `rename`, creating parent folders.
    func writeAtomically(_ data: Data, to url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw HubError(.cache, "\(url.path): cannot write to the cache (\(error.localizedDescription))")
        }
    }
}
