import ArgumentParser
import CLIP
import Detection
import Foundation
import Search
import Serving

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve detection, classification, embedding and search over HTTP, with a web page at /.",
        discussion: """
            Routes: POST /v1/detect, POST /v1/classify, POST /v1/embed, GET|POST /v1/search (with --index),
            GET /healthz, GET /metrics, GET /openapi.yaml, GET / (web page). SIGTERM or Ctrl-C stops
            accepting, finishes the requests in flight and exits 0.

            Examples:
              clipdetect serve --model shapes-tiny --port 8080
              curl -H 'Content-Type: image/png' --data-binary @examples/scene.png \\
                   'http://127.0.0.1:8080/v1/detect?classes=red%20star,blue%20circle'
              CLIPDETECT_API_KEY=secret clipdetect serve --host 0.0.0.0
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Address to bind; anything but a loopback address needs --api-key or CLIPDETECT_API_KEY.")
    var host = "127.0.0.1"

    @Option(help: "TCP port (0: any free port, printed at start).")
    var port = 8080

    @Option(help: "Model passes run at once, sharing one model. (default: the number of cores)")
    var workers: Int?

    @Option(name: .customLong("max-queue"), help: "Requests admitted beyond the running ones; more get 429. (default: 4 × workers)")
    var maxQueue: Int?

    @Option(name: .customLong("max-body-mb"), help: "Largest request body in MB (413 beyond).")
    var maxBodyMB = 20

    @Option(name: .customLong("max-pixels"), help: "Largest image in pixels, width × height (413 beyond).")
    var maxPixels = ServerConfiguration().maxPixels

    @Option(help: "Seconds a request may take before it is answered 504.")
    var timeout: Double = 60

    @Option(name: .customLong("shutdown-timeout"), help: "Seconds the requests in flight get after SIGTERM or Ctrl-C; later ones are cancelled (a model pass already running still ends).")
    var shutdownTimeout: Double = 30

    @Option(name: .customLong("api-key"), help: "Require Authorization: Bearer KEY on the API and /metrics. (default: $CLIPDETECT_API_KEY)")
    var apiKey: String?

    @Option(help: "Index file built by `clipdetect index`: enables /v1/search.")
    var index: String?

    /// The key from --api-key, else from CLIPDETECT_API_KEY (empty counts as unset).
    var effectiveKey: String? {
        if let apiKey { return apiKey }
        let env = ProcessInfo.processInfo.environment["CLIPDETECT_API_KEY"] ?? ""
        return env.isEmpty ? nil : env
    }

    func validate() throws {
        try ArgumentChecks.require("--port", port, in: 0...65535)
        if let workers { try ArgumentChecks.require("--workers", workers, in: 1...256) }
        if let maxQueue { try ArgumentChecks.require("--max-queue", maxQueue, atLeast: 0) }
        try ArgumentChecks.require("--max-body-mb", maxBodyMB, in: 1...4096)
        try ArgumentChecks.require("--max-pixels", maxPixels, atLeast: 1)
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout \(timeout) must be > 0 seconds") }
        guard shutdownTimeout >= 0, shutdownTimeout <= 86_400 else {
            throw ValidationError("--shutdown-timeout \(shutdownTimeout) must be between 0 and 86400 seconds")
        }
        if let apiKey, apiKey.isEmpty { throw ValidationError("--api-key is empty") }
        if !ServerConfiguration.isLoopback(host), effectiveKey == nil {
            throw ValidationError("--host \(host) is not a loopback address: give --api-key KEY or set CLIPDETECT_API_KEY")
        }
        if let index, !FileManager.default.fileExists(atPath: index) {
            throw ValidationError("--index \(index): no such file; build it with clipdetect index DIR --index \(index)")
        }
    }

    func run() throws {
        var config = ServerConfiguration()
        config.host = host
        config.port = port
        if let workers { config.workers = workers }
        config.maxQueue = maxQueue
        config.maxBodyBytes = maxBodyMB * 1024 * 1024
        config.maxPixels = maxPixels
        config.requestTimeout = .milliseconds(Int64(timeout * 1000))
        config.shutdownTimeout = .milliseconds(Int64(shutdownTimeout * 1000))
        config.apiKey = effectiveKey
        let modelOptions = modelOptions, index = index
        let server = try DetectionServer(configuration: config) {
            let detection = try modelOptions.loadForDetection(defaultModel: "shapes-tiny")
            var searcher: ImageSearcher?
            if let index {
                let db = try ImageIndex(path: index, mode: .readOnly)
                let (model, modelID) = try modelOptions.loadForSearch(db, loaded: detection.clipModel)
                searcher = try ImageSearcher(index: db, model: model, modelID: modelID)
            }
            let models = ServedModels(detection: detection, searcher: searcher)
            printError("model \(detection.name) loaded; serving")
            return models
        }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { try await server.run() } catch { outcome.error = error }
            done.signal()
        }
        Task {
            if let port = try? await server.port() {
                let shown = host.contains(":") ? "[\(host)]" : host
                FileHandle.standardOutput.write(Data("listening on http://\(shown):\(port)\n".utf8))
            }
        }
        done.wait()
        if let error = outcome.error {
            printError("error: \(error)")
            throw ExitCode.failure
        }
        printError("stopped")
    }

    private final class Outcome: @unchecked Sendable { var error: (any Error)? }
}
