import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// How the client reads the hub's HTTP answers, as pure functions of the answer: a file's
/// metadata from `HEAD`, whether a (resumed) `GET` may append, and what a redirect may carry.
/// `ModelHub` calls exactly these; the fuzz target `hub-response` feeds them hostile answers.
///
/// ```swift
/// let r = HTTPResponse(status: 302, headers: ["X-Repo-Commit": commit, "ETag": "\"abc\"", "Location": "https://cdn/x"],
///                      url: URL(string: "https://huggingface.co/org/m/resolve/main/config.json")!)
/// let meta = try HubAnswers.fileMetadata(r, requestURL: r.url, id: id, revision: "main", file: "config.json", settings: settings)
/// meta?.location  // https://cdn/x
/// ```
public enum HubAnswers {
    /// Reads the answer to `HEAD` of `file` at `revision`: the metadata, nil when the hub says
    /// the file does not exist (`EntryNotFound`), or a one-line `HubError`.
    public static func fileMetadata(_ r: HTTPResponse, requestURL url: URL, id: HubModelID, revision: String,
                                    file: String, settings: HubSettings) throws -> HubFileMetadata? {
        if (200..<300).contains(r.status) || r.isRedirect {
            var meta = try HubFileMetadata(r, requestURL: url)
            // Fetch by commit, not branch: the bytes must be the ones this HEAD described even
            // if the branch moves in between.
            if !r.isRedirect, revision != meta.commit, HTTPClient.origin(r.url) == HTTPClient.origin(url) {
                meta.location = settings.resolveURL(repo: id.repo, revision: meta.commit, file: file)
            }
            return meta
        }
        if let error = HubResponseErrors.error(for: r, id: id, settings: settings, file: file) { throw error }
        return nil
    }

    /// What a download's answer allows, given the bytes already on disk.
    public enum DownloadStart: Equatable, Sendable {
        /// `206` at the right byte: append to the partial file.
        case append
        /// `200`: the server ignored `Range`; start the file over.
        case restart
        /// `416`: the partial file is unusable; empty it and retry.
        case discard
    }

    /// Reads the status and `Content-Range` of a `GET` sent from byte `offset`; throws a
    /// one-line `HubError` (labelled `label`) for any other answer.
    public static func downloadStart(_ r: HTTPResponse, offset: Int64, label: String) throws -> DownloadStart {
        switch r.status {
        case 206 where offset > 0:
            guard r.header("content-range")?.hasPrefix("bytes \(offset)-") == true else {
                throw HubError(.badResponse, "\(label): server resumed at the wrong byte (Content-Range: \(r.header("content-range") ?? "none"), wanted \(offset))")
            }
            return .append
        case 200:
            return .restart
        case 416:
            return .discard
        default:
            throw HubError(.badResponse, "\(label): download answered HTTP \(r.status) from \(r.url.host ?? r.url.absoluteString)")
        }
    }

    /// The headers a redirect from `from` to `to` may carry, or nil when it must not be
    /// followed (`sameOriginOnly` and the origin changes). `Authorization` never leaves its origin.
    public static func redirectHeaders(from: URL, to: URL, sameOriginOnly: Bool, headers: [String: String]) -> [String: String]? {
        let sameOrigin = HTTPClient.origin(to) == HTTPClient.origin(from)
        if sameOriginOnly && !sameOrigin { return nil }
        return headers.filter { sameOrigin || $0.key.lowercased() != "authorization" }
    }
}
