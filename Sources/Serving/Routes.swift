import CLIP
import Detection
import Foundation
import Hummingbird
import Imaging
import Search

/// The request handlers: parse and check the request (400/413), take a worker ticket (429),
/// run the model on a worker thread (504 past the deadline), answer JSON or an image.
struct Routes: Sendable {
    let state: ServerState

    var configuration: ServerConfiguration { state.configuration }

    /// Every route. `register` adds exactly these, the metrics label requests by these paths,
    /// and a test checks that `openapi.yaml` lists exactly these.
    static let endpoints: [(method: HTTPRequest.Method, path: String)] = [
        (.get, "/"), (.get, "/openapi.yaml"), (.get, "/healthz"), (.get, "/metrics"),
        (.post, "/v1/detect"), (.post, "/v1/classify"), (.post, "/v1/embed"), (.get, "/v1/search"), (.post, "/v1/search"),
    ]

    func register(on router: Router<BasicRequestContext>) {
        for (method, path) in Self.endpoints {
            router.on(RouterPath(path), method: method) { request, _ in try await respond(method, path, request) }
        }
    }

    private func respond(_ method: HTTPRequest.Method, _ path: String, _ request: Request) async throws -> Response {
        switch path {
        case "/":
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: WebAssets.page)))
        case "/openapi.yaml":
            return Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: WebAssets.openAPI)))
        case "/healthz": return try health()
        case "/metrics":
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: state.metrics.text())))
        case "/v1/detect": return try await detect(request)
        case "/v1/classify": return try await classify(request)
        case "/v1/embed": return try await embed(request)
        case "/v1/search": return try await search(request)
        default: throw APIError(.notFound, "no such route")
        }
    }

    struct Health: Encodable {
        var status: String
        var model: String
        var family: String
        var confidence: Float
        var search: Bool
        var workers: Int
    }

    func health() throws -> Response {
        let models = try state.ready()
        let options = configuration.detectorOptions ?? models.detection.defaultOptions
        let family: String
        switch models.detection {
        case .clip: family = "clip"
        case .owl: family = "owl"
        }
        return try jsonResponse(Health(status: "ok", model: models.detection.name, family: family, confidence: options.confidence,
                                       search: models.searcher != nil, workers: configuration.workers))
    }

    /// Admission, body and deadline shared by every model route: `work` gets the parsed input
    /// and runs on a worker thread.
    private func admitted(_ request: Request, what: String,
                          prepare: (ServedModels, RequestInput) throws -> @Sendable () throws -> Response) async throws -> Response {
        let deadline = ContinuousClock.now + configuration.requestTimeout
        let models = try state.ready()
        let ticket = try state.pool.admit()
        var handedOver = false
        defer { if !handedOver { ticket.release() } }
        let input = try await RequestInput.read(request, maxBytes: configuration.maxBodyBytes)
        let work = try prepare(models, input)
        handedOver = true
        return try await state.pool.run(ticket, deadline: deadline, what: what, work)
    }

    func detect(_ request: Request) async throws -> Response {
        try await admitted(request, what: "detection") { models, input in
            let specs = try classSpecs(input)
            var options = configuration.detectorOptions ?? models.detection.defaultOptions
            if let conf = try input.unitFloat("conf") { options.confidence = conf }
            if let iou = try input.unitFloat("iou") { options.iouThreshold = iou }
            if let maxDet = try input.integer("max_det", atLeast: 1) { options.maxDetections = maxDet }
            let format = try imageFormat(input)
            let detection = models.detection, state = state, maxPixels = configuration.maxPixels, chosen = options
            return {
                let image = try input.image(maxPixels: maxPixels)
                let detector = try detection.detector(options: chosen)
                detector.textCache = state.cache
                try detector.setClasses(specs)
                var timings = StageTimings()
                let found = try detector.detect(image, timings: &timings, reuse: nil)
                state.counted(images: 1, crops: timings.cropCount)
                if let format {
                    let data = try ImageWriter.encode(Annotator().draw(found, on: image), format: format)
                    return Response(status: .ok, headers: [.contentType: format == .png ? "image/png" : "image/jpeg"],
                                    body: .init(byteBuffer: ByteBuffer(bytes: data)))
                }
                return try jsonResponse(ImageDetections(image: input.fileName, width: image.width, height: image.height,
                                                        model: detection.name, classes: specs.map(\.name), detections: found))
            }
        }
    }

    func classify(_ request: Request) async throws -> Response {
        try await admitted(request, what: "classification") { models, input in
            let model = try clipModel(models, route: "classification")
            let names = try classSpecs(input).map(\.name)
            let top = try input.integer("top", atLeast: 1)
            let state = state, maxPixels = configuration.maxPixels
            return {
                let image = try input.image(maxPixels: maxPixels)
                let classifier = try ZeroShotClassifier(model: model, classes: names, cache: state.cache)
                let result = classifier.classify([image])[0]
                state.counted(images: 1, crops: 1)
                return try jsonResponse(ClassificationReport(image: input.fileName, result, top: top))
            }
        }
    }

    struct EmbedTexts: Decodable { var texts: [String] }
    static let maxTexts = 256

    func embed(_ request: Request) async throws -> Response {
        try await admitted(request, what: "embedding") { models, input in
            let model = try clipModel(models, route: "embedding")
            let state = state, maxPixels = configuration.maxPixels
            if input.mediaType == "application/json" {
                guard let body = input.file, let parsed = try? JSONDecoder().decode(EmbedTexts.self, from: body) else {
                    throw APIError.badRequest("expected a JSON body {\"texts\": [\"…\", …]}")
                }
                guard !parsed.texts.isEmpty, parsed.texts.count <= Self.maxTexts else {
                    throw APIError.badRequest("texts must hold 1 to \(Self.maxTexts) strings (got \(parsed.texts.count))")
                }
                return { try jsonResponse(EmbeddingReport(model: model, images: [], texts: parsed.texts)) }
            }
            return {
                let image = try input.image(maxPixels: maxPixels)
                state.counted(images: 1, crops: 1)
                return try jsonResponse(EmbeddingReport(model: model, images: [(input.fileName, image)], texts: []))
            }
        }
    }

    func search(_ request: Request) async throws -> Response {
        try await admitted(request, what: "search") { models, input in
            guard let searcher = models.searcher else { throw APIError(.notFound, "this server has no image index to search") }
            let top = try input.integer("top", atLeast: 1) ?? 5
            let state = state, maxPixels = configuration.maxPixels
            if request.method == .get {
                guard let q = input.fields["q"], !q.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw APIError.badRequest("no query: give q=TEXT")
                }
                return { try jsonResponse(searcher.search(text: q, k: top)) }
            }
            return {
                let image = try input.image(maxPixels: maxPixels)
                state.counted(images: 1, crops: 1)
                return try jsonResponse(searcher.search(image: image, k: top))
            }
        }
    }

    /// `classes` (`NAME[:THRESHOLD],…`), required.
    private func classSpecs(_ input: RequestInput) throws -> [ClassSpec] {
        guard let text = input.fields["classes"], !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw APIError.badRequest("no classes: give classes=NAME[:THRESHOLD],… (e.g. classes=red star,blue circle)")
        }
        do { return try ClassSpec.parseList(text, what: "classes") } catch { throw APIError.badRequest("\(error)") }
    }

    /// `format`: absent or json → nil (JSON), png or jpeg → that image format.
    private func imageFormat(_ input: RequestInput) throws -> ImageWriter.Format? {
        switch input.fields["format"]?.lowercased() {
        case nil, "", "json": return nil
        case "png": return .png
        case "jpeg", "jpg": return .jpeg
        case let other?: throw APIError.badRequest("format \(other) must be json, png or jpeg")
        }
    }

    private func clipModel(_ models: ServedModels, route: String) throws -> CLIPModel {
        guard let model = models.detection.clipModel else {
            throw APIError.badRequest("\(route) needs a CLIP model; this server runs the OWL model \(models.detection.name)")
        }
        return model
    }
}

/// Turns every thrown error into `{"error": "…"}` with its status, and counts every response
/// by route and status with its latency.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            let api = APIError.from(error)
            if api.status == .internalServerError {
                FileHandle.standardError.write(Data("error: \(request.method) \(request.uri.path): \(api.message)\n".utf8))
            }
            response = api.response
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        metrics.record(route: ServerMetrics.route(request.uri.path), status: response.status.code, seconds: seconds)
        return response
    }
}
