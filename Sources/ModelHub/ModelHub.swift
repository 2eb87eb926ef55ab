import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Resolves hub ids (`ORG/NAME[@REVISION]`) to model folders in the Hugging Face cache,
/// downloading what is missing, so `CLIPModel(folder:)` can load them.
///
/// ```swift
/// import ModelHub
/// let hub = ModelHub()                                     // reads HF_HOME, HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE
/// let folder = try hub.modelFolder(for: HubModelID(parsing: "openai/clip-vit-base-patch32"))
/// let model = try CLIPModel(folder: folder)                // .../snapshots/<commit>
/// ```
///
/// The cache is the one `huggingface_hub` / `transformers` use (see `HubCache`): models they
/// downloaded are used as they are, and the reverse.
public final class ModelHub {
    /// Files every model folder needs.
    public static let requiredFiles = ["config.json", "model.safetensors"]
    /// Tokenizer files: one complete set is needed — BPE (`CLIPModel`) or WordPiece (Chinese-CLIP).
    public static let tokenizerFileSets = [["vocab.json", "merges.txt"], ["vocab.txt"]]
    /// Fetched when the repository has them; their absence is remembered in `.no_exist/`.
    public static let optionalFiles = ["preprocessor_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]
    /// Everything looked for, in request order.
    static var candidateFiles: [String] { requiredFiles + tokenizerFileSets.flatMap { $0 } + optionalFiles }

    public let settings: HubSettings
    public let cache: HubCache
    /// Progress of each file download; defaults to a stderr line when stderr is a terminal.
    public var progress: DownloadProgressReporting?

    public init(settings: HubSettings = HubSettings(environment: ProcessInfo.processInfo.environment),
                progress: DownloadProgressReporting? = TerminalProgress.ifTerminal()) {
        self.settings = settings
        self.cache = HubCache(root: settings.cacheFolder)
        self.progress = progress
    }

    /// The model folder for `id`: the cached snapshot when it has every required file (no
    /// network at all), otherwise downloads it (unless offline).
    ///
    /// Throws `HubError`: `.offline` when `HF_HUB_OFFLINE` is set and the cache lacks the model,
    /// and whatever `download` throws.
    public func modelFolder(for id: HubModelID) throws -> URL {
        if let cached = cachedSnapshot(for: id) { return cached }
        return try download(id)
    }

    /// The cached snapshot of `id` when it holds every required file; never touches the network.
    public func cachedSnapshot(for id: HubModelID) -> URL? {
        guard let commit = cache.commit(id.repo, revision: id.revision) else { return nil }
        guard missingFiles(id.repo, commit: commit).isEmpty else { return nil }
        return cache.snapshot(id.repo, commit: commit)
    }

    /// What the snapshot lacks to be a model folder, for messages (`vocab.json + merges.txt or vocab.txt`).
    public func missingFiles(_ repo: String, commit: String) -> [String] {
        ModelHub.missingFiles(in: cache, repo: repo, commit: commit)
    }

    static func missingFiles(in cache: HubCache, repo: String, commit: String) -> [String] {
        var missing = ModelHub.requiredFiles.filter { !cache.hasFile(repo, commit: commit, file: $0) }
        let sets = ModelHub.tokenizerFileSets
        if !sets.contains(where: { $0.allSatisfy { cache.hasFile(repo, commit: commit, file: $0) } }) {
            missing.append(sets.map { $0.joined(separator: " + ") }.joined(separator: " or "))
        }
        return missing
    }

    /// Asks the hub which commit `id.revision` names now, fetches the files that snapshot lacks
    /// (blobs already in the cache are linked, not downloaded again) and returns its folder.
    ///
    /// Throws `HubError`: `.offline` (HF_HUB_OFFLINE set), `.network` (endpoint unreachable),
    /// `.notFound` / `.unauthorized` (404 / 401 / 403), `.pytorchOnly`, `.checksumMismatch`,
    /// `.badResponse`, `.cache`.
    @discardableResult
    public func download(_ id: HubModelID) throws -> URL {
        guard !settings.offline else {
            throw HubError(.offline, "\(id): not in the Hugging Face cache (\(settings.cacheFolder.path)) with config.json, model.safetensors and tokenizer files, and HF_HUB_OFFLINE is set, so nothing is downloaded; unset it to download, or use a local model folder or a shipped model")
        }
        let client = HTTPClient(timeout: settings.timeout)
        guard let first = try metadata(id, revision: id.revision, file: "config.json", client: client) else {
            throw HubError(.notFound, "\(id): the repository has no config.json at \(id.revision), so it is not a transformers model")
        }
        let commit = first.commit
        try cache.writeRef(id.repo, revision: id.revision, commit: commit)
        // Ask about every file before fetching any, so a repository that cannot work (pickle
        // only, no tokenizer) fails before a large download starts.
        var plan: [(file: String, meta: HubFileMetadata)] = []
        for file in ModelHub.candidateFiles {
            let required = ModelHub.requiredFiles.contains(file)
            if cache.hasFile(id.repo, commit: commit, file: file) { continue }
            if !required && cache.knownMissing(id.repo, commit: commit, file: file) { continue }
            let meta = file == "config.json" ? first : try metadata(id, revision: commit, file: file, client: client)
            guard let meta else {
                if required { throw try missingRequiredFile(id, file: file, commit: commit, client: client) }
                cache.markMissing(id.repo, commit: commit, file: file)
                continue
            }
            plan.append((file, meta))
        }
        let cache = self.cache
        let available = { (f: String) in cache.hasFile(id.repo, commit: commit, file: f) || plan.contains { $0.file == f } }
        guard ModelHub.tokenizerFileSets.contains(where: { $0.allSatisfy(available) }) else {
            throw HubError(.notFound, "\(id): the repository has no tokenizer files at commit \(commit) (needs vocab.json + merges.txt, or vocab.txt)")
        }
        for (file, meta) in plan {
            try fetch(meta, id: id, file: file, commit: commit, client: client)
        }
        return cache.snapshot(id.repo, commit: commit)
    }

    /// HEAD of one file; nil when the hub says the file does not exist (`EntryNotFound`).
    private func metadata(_ id: HubModelID, revision: String, file: String, client: HTTPClient) throws -> HubFileMetadata? {
        let url = settings.resolveURL(repo: id.repo, revision: revision, file: file)
        let r: HTTPResponse
        do {
            r = try client.send("HEAD", url, headers: requestHeaders(), redirects: .sameOriginOnly)
        } catch {
            throw HubResponseErrors.unreachable(error, settings: settings, id: id)
        }
        return try HubAnswers.fileMetadata(r, requestURL: url, id: id, revision: revision, file: file, settings: settings)
    }

    /// The error for a required file the hub does not have. When the repository only has a
    /// pickled checkpoint it names the hub's safetensors pull request (`ID@refs/pr/N`) if one
    /// has `model.safetensors`, and the conversion script in any case.
    private func missingRequiredFile(_ id: HubModelID, file: String, commit: String, client: HTTPClient) throws -> HubError {
        if file == "model.safetensors", try metadata(id, revision: commit, file: "pytorch_model.bin", client: client) != nil {
            let convert = "convert it once with `python3 models/convert_to_safetensors.py \(id.repo) OUT_FOLDER` and use OUT_FOLDER as the model"
            if let pr = safetensorsPullRequest(id, client: client) {
                return HubError(.pytorchOnly, "\(id): the repository has pytorch_model.bin but no model.safetensors, and pickled checkpoints are never loaded here; its pull request refs/pr/\(pr) has model.safetensors: use \(id.repo)@refs/pr/\(pr) as the model, or \(convert)")
            }
            return HubError(.pytorchOnly, "\(id): the repository has pytorch_model.bin but no model.safetensors, and pickled checkpoints are never loaded here; \(convert)")
        }
        return HubError(.notFound, "\(id): the repository has no \(file) at commit \(commit), which a model folder needs")
    }

    /// The first open safetensors pull request of `id.repo` whose `refs/pr/N` really has
    /// `model.safetensors`; nil when there is none or the look-up fails (it is only a hint).
    private func safetensorsPullRequest(_ id: HubModelID, client: HTTPClient) -> Int? {
        guard let candidates = ConversionPullRequests.candidates(repo: id.repo, settings: settings, client: client,
                                                                  headers: requestHeaders()) else { return nil }
        for number in candidates.prefix(3) {
            if (try? metadata(id, revision: "refs/pr/\(number)", file: "model.safetensors", client: client)) != nil { return number }
        }
        return nil
    }

    /// Puts the file's blob in the cache (unless already there) and links it into the snapshot.
    private func fetch(_ meta: HubFileMetadata, id: HubModelID, file: String, commit: String, client: HTTPClient) throws {
        let blob = cache.blob(id.repo, etag: meta.etag)
        if !FileManager.default.fileExists(atPath: blob.path) {
            let lock = try FileLock(settings.cacheFolder.appendingPathComponent(".locks/\(cache.repoFolder(id.repo).lastPathComponent)/\(meta.etag).lock"))
            // Another process may have finished this blob while we waited for the lock.
            if !FileManager.default.fileExists(atPath: blob.path) {
                var headers = requestHeaders()
                let sameOrigin = HTTPClient.origin(meta.location) == HTTPClient.origin(settings.endpoint)
                if !sameOrigin { headers["Authorization"] = nil }
                try BlobDownload(client: client, url: meta.location, headers: headers,
                                 partial: cache.incompleteBlob(id.repo, etag: meta.etag), destination: blob,
                                 expectedSize: meta.size, expectedSHA256: meta.expectedSHA256,
                                 label: "\(id.repo)/\(file)", progress: progress).run()
            }
            withExtendedLifetime(lock) {}
        }
        try cache.link(id.repo, commit: commit, file: file, etag: meta.etag)
    }

    private func requestHeaders() -> [String: String] {
        var h = ["User-Agent": "clipdetect (huggingface_hub-compatible cache)", "Accept-Encoding": "identity"]
        if let token = settings.token { h["Authorization"] = "Bearer \(token)" }
        return h
    }
}
