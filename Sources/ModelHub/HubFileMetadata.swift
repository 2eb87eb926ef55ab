import Foundation

/// What a `HEAD /ORG/NAME/resolve/REV/FILE` says about one file, read the way
/// `huggingface_hub.get_hf_file_metadata` reads it.
public struct HubFileMetadata: Sendable {
    /// `X-Repo-Commit`: the commit the revision resolved to.
    public let commit: String
    /// `X-Linked-Etag` (LFS: the sha256 of the content) or else `ETag` (git blob id), unquoted.
    public let etag: String
    /// `X-Linked-Size`, else `Content-Length` of a non-redirect answer.
    public let size: Int64?
    /// Where the bytes are: the CDN target of a redirect, or the URL that answered.
    public var location: URL

    /// An LFS file's etag is the sha256 of its bytes, which the download must reproduce.
    public var expectedSHA256: String? {
        etag.utf8.count == 64 && etag.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) ? etag : nil
    }

    /// Reads the metadata from a successful (2xx or cross-origin 3xx) HEAD answer.
    init(_ r: HTTPResponse, requestURL: URL) throws {
        guard let commit = r.header("x-repo-commit"), HubModelID.isCommitHash(commit) else {
            throw HubError(.badResponse, "\(requestURL.absoluteString): answer has no X-Repo-Commit header, so this is not a Hugging Face hub (check HF_ENDPOINT, proxy and firewall)")
        }
        guard let raw = r.header("x-linked-etag") ?? r.header("etag"), let etag = HubFileMetadata.normalize(etag: raw) else {
            throw HubError(.badResponse, "\(requestURL.absoluteString): answer has no usable ETag, so the download could not be verified or cached")
        }
        self.commit = commit
        self.etag = etag
        self.size = (r.header("x-linked-size") ?? (r.isRedirect ? nil : r.header("content-length"))).flatMap { Int64($0) }
        if r.isRedirect, let loc = r.header("location"), let target = URL(string: loc, relativeTo: r.url) {
            location = target.absoluteURL
        } else {
            location = r.url
        }
    }

    /// `W/"abc"` or `"abc"` → `abc`, as `_normalize_etag` does; refuses anything that is not a
    /// plain file name, since it becomes one under `blobs/`.
    static func normalize(etag: String) -> String? {
        var s = Substring(etag.trimmingCharacters(in: .whitespaces))
        if s.hasPrefix("W/") { s = s.dropFirst(2) }
        let e = String(s.filter { $0 != "\"" })
        guard !e.isEmpty, e.count <= 128, e.first != ".",
              e.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }) else { return nil }
        return e
    }
}
