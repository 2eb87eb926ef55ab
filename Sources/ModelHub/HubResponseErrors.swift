import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Turns hub HTTP statuses and transport failures into one-line `HubError`s, reading the
/// `X-Error-Code` header the hub sets (`RepoNotFound`, `RevisionNotFound`, `EntryNotFound`, `GatedRepo`).
enum HubResponseErrors {
    /// The error for a non-success `answer` to a request about `id` (nil for `EntryNotFound`,
    /// which the caller handles: an optional file may be absent).
    static func error(for r: HTTPResponse, id: HubModelID, settings: HubSettings, file: String) -> HubError? {
        let host = settings.endpoint.absoluteString
        let code = r.header("x-error-code") ?? ""
        let tokenHint = settings.token == nil
            ? "if it is private or gated, set HF_TOKEN to a token that can read it"
            : "HF_TOKEN was sent: check that this token can read it"
        switch r.status {
        case 404 where code == "EntryNotFound" || (code.isEmpty && r.header("x-repo-commit") != nil):
            return nil
        case 404 where code == "RevisionNotFound":
            return HubError(.notFound, "\(id): revision '\(id.revision)' not found in \(id.repo) on \(host)")
        case 401, 404:
            return HubError(r.status == 401 ? .unauthorized : .notFound,
                            "\(id.repo): repository not found on \(host) (HTTP \(r.status)): check the id; \(tokenHint)")
        case 403:
            let what = code == "GatedRepo" ? "gated repository: accept its conditions on \(host)/\(id.repo) and " : "access refused: "
            return HubError(.unauthorized, "\(id.repo): \(what)\(tokenHint) (HTTP 403)")
        default:
            let message = r.header("x-error-message").map { ": \($0)" } ?? ""
            return HubError(.badResponse, "\(id.repo)/\(file): \(host) answered HTTP \(r.status)\(message); try again later, or use a cached model with HF_HUB_OFFLINE=1")
        }
    }

    /// The one line for "could not talk to the endpoint", naming the offline alternatives.
    static func unreachable(_ error: Error, settings: HubSettings, id: HubModelID) -> HubError {
        let reason = (error as? URLError).map { describe($0) } ?? "\(error)"
        return HubError(.network, "\(id): cannot reach \(settings.endpoint.absoluteString) (\(reason)); without network use a local model folder, a shipped model (clipdetect models list), or HF_HUB_OFFLINE=1 with the model already in \(settings.cacheFolder.path)")
    }

    static func describe(_ e: URLError) -> String {
        switch e.code {
        case .notConnectedToInternet: return "no network connection"
        case .cannotFindHost, .dnsLookupFailed: return "host name not found"
        case .cannotConnectToHost: return "connection refused"
        case .timedOut: return "timed out"
        case .networkConnectionLost: return "connection lost"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid:
            return "TLS failure"
        default: return e.localizedDescription
        }
    }
}
