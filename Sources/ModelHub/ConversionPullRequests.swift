import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Finds the hub's "Adding `safetensors` variant of this model" pull requests, which the hub's
/// conversion bot opens on repositories that only have `pytorch_model.bin` on `main` (many
/// older google/ and openai/ checkpoints). Their branch `refs/pr/N` holds `model.safetensors`,
/// so `ORG/NAME@refs/pr/N` is a model that loads without converting anything.
///
/// ```swift
/// let page = try ConversionPullRequests.parse(discussionsPage: data)  // GET /api/models/ORG/NAME/discussions?p=0
/// page.candidates   // [3]: open pull requests whose title mentions safetensors, newest first
/// ```
///
/// Only a hint for an error message: `ModelHub` checks that `refs/pr/N` really has
/// `model.safetensors` before naming it, and any failure of the look-up leaves the message
/// naming `models/convert_to_safetensors.py` alone.
public enum ConversionPullRequests {
    /// One page of `GET /api/models/ORG/NAME/discussions`.
    public struct Page: Equatable, Sendable {
        /// Numbers of open pull requests whose title mentions safetensors, in page order.
        public var candidates: [Int]
        /// Whether the hub has more discussions after this page (`start + count on page < count`).
        public var hasMore: Bool
    }

    private struct DiscussionsPage: Decodable {
        struct Discussion: Decodable {
            let num: Int
            let title: String?
            let status: String?
            let isPullRequest: Bool?
        }
        let discussions: [Discussion]
        let count: Int?
        let start: Int?
    }

    /// Reads one page of the hub's discussions listing.
    ///
    /// Precondition: none (any bytes). Throws `HubError(.badResponse)` when the bytes are not a
    /// discussions page (not JSON, no `discussions` array, an entry without `num`).
    public static func parse(discussionsPage data: Data) throws -> Page {
        let page: DiscussionsPage
        do {
            page = try JSONDecoder().decode(DiscussionsPage.self, from: data)
        } catch {
            throw HubError(.badResponse, "the hub's discussions listing is not the expected JSON (\(error.localizedDescription))")
        }
        let candidates = page.discussions.filter {
            ($0.isPullRequest ?? false) && ($0.status ?? "open") == "open"
                && ($0.title ?? "").lowercased().contains("safetensors") && $0.num > 0
        }.map(\.num)
        // The numbers come from the server: a sum past Int.max means no further page.
        let (seen, overflow) = (page.start ?? 0).addingReportingOverflow(page.discussions.count)
        let hasMore = !page.discussions.isEmpty && !overflow && seen < (page.count ?? 0)
        return Page(candidates: candidates, hasMore: hasMore)
    }

    /// The discussions listing URL of `repo`, page `page` (0-based), as `huggingface_hub` asks it.
    static func listingURL(endpoint: URL, repo: String, page: Int) -> URL {
        URL(string: endpoint.absoluteString + "/api/models/\(repo)/discussions?p=\(page)")!
    }

    /// Asks the hub for up to `maxPages` pages of discussions and returns the candidate pull
    /// request numbers; nil on any network, status or format problem (the caller falls back to
    /// the conversion script). Bodies over 4 MiB are cut off and treated as a problem.
    static func candidates(repo: String, settings: HubSettings, client: HTTPClient,
                           headers: [String: String], maxPages: Int = 5) -> [Int]? {
        var found: [Int] = []
        for page in 0..<maxPages {
            var body = Data()
            let limit = 4 << 20
            guard let response = try? client.send("GET", listingURL(endpoint: settings.endpoint, repo: repo, page: page),
                                                  headers: headers, redirects: .sameOriginOnly,
                                                  onData: { chunk in
                                                      body.append(chunk)
                                                      if body.count > limit { throw HubError(.badResponse, "discussions listing too large") }
                                                  }),
                  response.status == 200, let parsed = try? parse(discussionsPage: body) else { return nil }
            found += parsed.candidates
            if !parsed.hasMore { break }
        }
        return found
    }
}
