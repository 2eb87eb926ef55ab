import ArgumentParser
import CLIP
import Detection
import Foundation
import Search

/// `clipdetect worker`: a long-lived process that answers one JSON line per request line, so a
/// batch driver (`tools/ray/clipdetect_ray.py`) loads the model and embeds the classes once per
/// worker instead of once per file.
///
/// Requests (stdin, one JSON object per line; `id` is optional and echoed):
/// - `{"op": "detect", "path": P}` → `{"op", "path", "results": [R…]}` where each `R` is the
///   `clipdetect P --json` element of the image (same flags, same code: `DetectionSession`),
///   or for a video one element per detected frame with `frame` and `timestamp` added (the
///   CLI's video flags select the frames);
/// - `{"op": "embed", "path": P}` → `{"op", "path", "record": {"path", "size", "mtime_ns",
///   "model", "model_source", "dimension", "embedding", "error"}}`: the row `clipdetect index`
///   stores for the file (`IndexRecord`; `path` absolute, `embedding` the little-endian
///   float32 bytes in base64, or null with `error` when the image does not decode).
/// - Anything that fails for one request (a missing or broken file, a malformed line) is a line
///   `{"op", "path", "error": MESSAGE}`; the worker goes on. End of input ends the worker.
///
/// Only replies go to stdout, each written whole with one `write`; warnings go to stderr.
struct Worker: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer detect/embed requests read as JSON lines on stdin, one JSON line each on stdout (the Ray driver's worker).",
        discussion: """
            Requests: {"op": "detect", "path": P} or {"op": "embed", "path": P} (optional "id", echoed).
            detect → {"path": P, "results": [the clipdetect --json element; for a video one per detected frame, with "frame" and "timestamp"]}.
            embed → {"path": P, "record": {"path", "size", "mtime_ns", "model", "model_source", "dimension", "embedding" (base64 of little-endian float32), "error"}}.
            A request that fails → {"path": P, "error": MESSAGE}; the worker keeps running until stdin ends.

            Example: echo '{"op":"detect","path":"examples/scene.png"}' | clipdetect worker --classes "red star,blue circle"
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var flags: DetectionFlags
    @OptionGroup(title: "Video") var video: VideoFlags

    func validate() throws {
        if video.jsonLines != nil { throw ValidationError("--json-lines is not used by the worker: video frames are answered on stdout") }
    }

    struct Request: Decodable {
        var op: String
        var path: String
        var id: Int?
    }

    struct Reply: Encodable {
        var id: Int?
        var op: String?
        var path: String?
        var results: [DetectionRecord]?
        var record: EmbedRecord?
        var error: String?
    }

    struct EmbedRecord: Encodable {
        var path: String
        var size: Int64
        var mtime_ns: Int64
        var model: String
        var model_source: String
        var dimension: Int
        var embedding: String?
        var error: String?
    }

    func run() throws {
        try reportingErrors {
            let model = try modelOptions.loadForDetection(defaultModel: "shapes-tiny")
            let session = flags.hasClasses ? try DetectionSession(model: model, flags: flags) : nil
            let videoOptions = try video.videoOptions()
            let identity = try model.clipModel.map { try modelOptions.indexIdentity(of: $0, defaultModel: "shapes-tiny") }
            var lineNumber = 0
            while let line = readLine(strippingNewline: true) {
                lineNumber += 1
                guard !line.allSatisfy(\.isWhitespace) else { continue }
                var reply = Reply()
                do {
                    let request: Request
                    do {
                        request = try JSONDecoder().decode(Request.self, from: Data(line.utf8))
                    } catch {
                        throw CLIPError("request line \(lineNumber): not a JSON object {\"op\": \"detect\"|\"embed\", \"path\": PATH}")
                    }
                    (reply.id, reply.op, reply.path) = (request.id, request.op, request.path)
                    switch request.op {
                    case "detect":
                        guard let session else { throw CLIPError("no classes given to the worker: start it with --classes, --classes-file or --class-image") }
                        reply.results = try detect(request.path, session: session, options: videoOptions)
                    case "embed":
                        guard let clip = model.clipModel, let identity else { throw CLIPError("\(model.name): embed needs a CLIP model, not a one-pass detector") }
                        reply.record = try embed(request.path, model: clip, identity: identity)
                    default:
                        throw CLIPError("request line \(lineNumber): unknown op \"\(request.op)\" (detect or embed)")
                    }
                } catch {
                    (reply.results, reply.record, reply.error) = (nil, nil, "\(error)")
                }
                var data = (try? detectionJSON(reply)) ?? Data("{\"error\":\"reply could not be encoded\"}".utf8)
                data.append(0x0A)
                FileHandle.standardOutput.write(data)
            }
        }
    }

    private func detect(_ path: String, session: DetectionSession, options: VideoOptions) throws -> [DetectionRecord] {
        if video.video || VideoFlags.looksLikeVideo(path) {
            if !VideoFlags.isSequencePattern(path), !FileManager.default.fileExists(atPath: path) {
                throw DetectionError("\(path): no such file")
            }
            return try session.detectVideo(path: path, options: options)
        }
        let (image, detections) = try session.detect(path: path)
        return [DetectionRecord(image: session.record(path: path, image: image, detections: detections))]
    }

    private func embed(_ path: String, model: CLIPModel, identity: ModelIdentity) throws -> EmbedRecord {
        let record = IndexRecord.compute([try ScannedFile(statting: path)], model: model, batchSize: 1)[0]
        return EmbedRecord(path: record.file.path, size: record.file.size, mtime_ns: record.file.modifiedNanoseconds,
                           model: identity.id, model_source: identity.source.recorded, dimension: model.embeddingDimension,
                           embedding: record.embeddingBytes?.base64EncodedString(), error: record.error)
    }
}
