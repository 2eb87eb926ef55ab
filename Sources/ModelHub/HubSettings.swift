import Foundation

/// Where the hub is and where its cache lives, read from the same environment variables as
/// `huggingface_hub`, so both tools share one cache.
///
/// ```swift
/// let settings = HubSettings(environment: ProcessInfo.processInfo.environment)
/// settings.cacheFolder   // $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub
/// ```
public struct HubSettings: Sendable {
    /// Base URL of the hub (`$HF_ENDPOINT`, default `https://huggingface.co`), no trailing slash.
    public var endpoint: URL
    /// The hub cache (`models--ORG--NAME/{blobs,snapshots,refs}` live here).
    public var cacheFolder: URL
    /// Sent as `Authorization: Bearer` to the endpoint (never to a CDN it redirects to).
    public var token: String?
    /// `HF_HUB_OFFLINE` (or `TRANSFORMERS_OFFLINE`) is true: never open a connection.
    public var offline: Bool
    /// Seconds a request may stay silent before it is abandoned.
    public var timeout: TimeInterval = 30

    public static let defaultEndpoint = URL(string: "https://huggingface.co")!

    public init(endpoint: URL = HubSettings.defaultEndpoint, cacheFolder: URL, token: String? = nil, offline: Bool = false) {
        self.endpoint = endpoint
        self.cacheFolder = cacheFolder
        self.token = token
        self.offline = offline
    }

    /// Reads `HF_ENDPOINT`, `HF_HUB_CACHE`, `HF_HOME`, `XDG_CACHE_HOME`, `HF_TOKEN`,
    /// `HF_HUB_OFFLINE` / `TRANSFORMERS_OFFLINE` with `huggingface_hub`'s precedence and truth values.
    public init(environment env: [String: String]) {
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        func value(_ key: String) -> String? {
            guard let v = env[key]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
            return v.hasPrefix("~/") ? home + v.dropFirst() : v
        }
        var endpoint = HubSettings.defaultEndpoint
        if let text = value("HF_ENDPOINT"), let url = URL(string: String(text.reversed().drop { $0 == "/" }.reversed())) {
            endpoint = url
        }
        let cache: String
        if let hubCache = value("HF_HUB_CACHE") {
            cache = hubCache
        } else if let hfHome = value("HF_HOME") {
            cache = hfHome + "/hub"
        } else {
            cache = (value("XDG_CACHE_HOME") ?? home + "/.cache") + "/huggingface/hub"
        }
        let truthy: Set<String> = ["1", "ON", "YES", "TRUE"]
        let offlineText = value("HF_HUB_OFFLINE") ?? value("TRANSFORMERS_OFFLINE") ?? ""
        self.init(endpoint: endpoint, cacheFolder: URL(fileURLWithPath: cache), token: value("HF_TOKEN"),
                  offline: truthy.contains(offlineText.uppercased()))
    }

    /// `https://host/ORG/NAME/resolve/REVISION/FILE`, with the revision fully percent-encoded
    /// (a branch like `refs/pr/1` becomes one path segment), as `hf_hub_url` builds it.
    public func resolveURL(repo: String, revision: String, file: String) -> URL {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let rev = revision.addingPercentEncoding(withAllowedCharacters: allowed) ?? revision
        var fileAllowed = allowed
        fileAllowed.insert("/")
        let path = file.addingPercentEncoding(withAllowedCharacters: fileAllowed) ?? file
        return URL(string: endpoint.absoluteString + "/\(repo)/resolve/\(rev)/\(path)")!
    }
}
