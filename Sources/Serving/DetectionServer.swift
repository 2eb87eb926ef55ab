import Detection
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// `clipdetect serve` as a library: an HTTP server (Hummingbird 2) that keeps a model and the
/// class-prompt embeddings warm and answers detection, classification, embedding and search
/// requests, plus a web page, health, metrics and its OpenAPI description.
///
/// ```swift
/// import Detection
/// import Serving
///
/// var config = ServerConfiguration()
/// config.port = 8080
/// let server = try DetectionServer(configuration: config) {
///     ServedModels(detection: try DetectionModel(folder: ModelLocator.resolve("shapes-tiny")))
/// }
/// try await server.run()        // until SIGTERM/SIGINT or `shutdown()`
/// // curl --data-binary @scene.png -H 'Content-Type: image/png' \
/// //      'http://127.0.0.1:8080/v1/detect?classes=red%20star,blue%20circle'
/// ```
///
/// Routes (also in `GET /openapi.yaml`): `POST /v1/detect`, `POST /v1/classify`,
/// `POST /v1/embed`, `GET|POST /v1/search` (with a searcher), `GET /healthz`, `GET /metrics`,
/// `GET /openapi.yaml`, `GET /`. Errors are `{"error": "one line"}` with 400, 401, 404, 413,
/// 415, 429 (+ `Retry-After`), 503 or 504.
///
/// Lifecycle: `run` starts listening at once and loads the models on a thread of their own
/// (`/healthz` and the API answer 503 until they are in); a model that fails to load stops
/// the server and `run` throws its error. On SIGTERM/SIGINT (with `handlesSignals`) or
/// `shutdown()`: new model requests get 503, the listener closes, in-flight requests finish
/// (at most `shutdownTimeout`; later ones are cancelled), then `run` returns — once no model
/// pass runs any more (a pass cannot be interrupted, so one cancelled at the deadline still
/// ends first). After `run` returns the process may exit safely.
public final class DetectionServer: Sendable {
    public let configuration: ServerConfiguration
    let state: ServerState
    private let load: @Sendable () throws -> ServedModels
    private let control = Control()

    /// - Throws: ``ServingError`` when `configuration` is invalid (see
    ///   ``ServerConfiguration/validate()``).
    public init(configuration: ServerConfiguration, load: @escaping @Sendable () throws -> ServedModels) throws {
        try configuration.validate()
        self.configuration = configuration
        self.load = load
        state = ServerState(configuration: configuration)
    }

    /// Serves until shutdown; rethrows a model-loading error, or a bind failure.
    public func run() async throws {
        let router = Router()
        router.add(middleware: ErrorMiddleware(metrics: state.metrics))
        if let key = configuration.apiKey { router.add(middleware: APIKeyMiddleware(key: key)) }
        Routes(state: state).register(on: router)
        var logger = Logger(label: "clipdetect.serve")
        logger.logLevel = .warning
        let control = control
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "clipdetect"),
            onServerRunning: { channel in control.listening(port: channel.localAddress?.port ?? 0) },
            logger: logger)
        var groupConfig = ServiceGroupConfiguration(
            services: [
                .init(service: app),
                .init(service: LoaderService(state: state, load: load), successTerminationBehavior: .ignore,
                      failureTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: StopService(state: state), successTerminationBehavior: .ignore),
            ],
            gracefulShutdownSignals: configuration.handlesSignals ? [.sigterm, .sigint] : [],
            logger: logger)
        groupConfig.maximumGracefulShutdownDuration = configuration.shutdownTimeout
        groupConfig.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: groupConfig)
        control.started(group)
        defer { control.finished() }
        let outcome: Result<Void, any Error>
        do {
            try await group.run()
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        // A pass cannot be interrupted: one whose request was cancelled at the shutdown deadline
        // still runs. Wait for it, so that a process exiting next does not free OpenBLAS's
        // buffers under it (that crashed in sgemm during exit).
        let pool = state.pool
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread { pool.waitUntilIdle(); done.resume() }.start()
        }
        if let loadError = state.loadError { throw loadError }
        try outcome.get()
    }

    /// The port the server listens on (once it does; with port 0, the one the system picked).
    /// Throws when `run` ended before listening.
    public func port() async throws -> Int { try await control.port() }

    /// Starts the graceful shutdown (as SIGTERM does); `run` returns when it is done.
    public func shutdown() {
        Task { await control.group()?.triggerGracefulShutdown() }
    }

    /// Requests admitted and not finished (running or waiting for a worker).
    public var inFlight: Int { state.pool.inFlight }
}

/// The service group and the listening port, handed between `run` and its callers.
private final class Control: @unchecked Sendable {
    private let lock = NSLock()
    private var serviceGroup: ServiceGroup?
    private var boundPort: Int?
    private var ended = false
    private var waiters: [CheckedContinuation<Int, any Error>] = []
    private var stopRequested = false

    func started(_ group: ServiceGroup) {
        lock.lock()
        serviceGroup = group
        let stop = stopRequested
        lock.unlock()
        if stop { Task { await group.triggerGracefulShutdown() } }
    }

    func group() -> ServiceGroup? {
        lock.lock()
        defer { lock.unlock() }
        if serviceGroup == nil { stopRequested = true }
        return serviceGroup
    }

    func listening(port: Int) {
        lock.lock()
        boundPort = port
        let w = waiters
        waiters = []
        lock.unlock()
        for c in w { c.resume(returning: port) }
    }

    func finished() {
        lock.lock()
        ended = true
        let w = waiters
        waiters = []
        lock.unlock()
        for c in w { c.resume(throwing: ServingError("the server stopped before it listened")) }
    }

    func port() async throws -> Int {
        try await withCheckedThrowingContinuation { c in
            lock.lock()
            if let boundPort {
                lock.unlock()
                c.resume(returning: boundPort)
            } else if ended {
                lock.unlock()
                c.resume(throwing: ServingError("the server stopped before it listened"))
            } else {
                waiters.append(c)
                lock.unlock()
            }
        }
    }
}

/// Loads the models on a thread of its own (the event loops keep answering 503 meanwhile);
/// a failure stops the group.
private struct LoaderService: Service {
    let state: ServerState
    let load: @Sendable () throws -> ServedModels

    func run() async throws {
        let load = load
        let result: Result<ServedModels, any Error> = await withCheckedContinuation { c in
            let t = Thread { c.resume(returning: Result { try load() }) }
            t.stackSize = 8 << 20
            t.start()
        }
        switch result {
        case .success(let models): state.set(.ready(models))
        case .failure(let error):
            state.set(.failed(error))
            throw error
        }
    }
}

/// Listed last, so shutdown reaches it first: from then on model requests get 503 while the
/// HTTP server (listed first, shut down last) finishes the ones in flight.
private struct StopService: Service {
    let state: ServerState

    func run() async throws {
        try? await gracefulShutdown()
        state.set(.stopping)
        state.pool.beginShutdown()
    }
}
