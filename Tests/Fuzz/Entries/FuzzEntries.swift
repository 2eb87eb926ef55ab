import CLIP
import Detection
import Evaluation
import Foundation
import Imaging
import ModelHub
import Search

/// The bodies of the fuzz targets (see `FuzzTarget`).
enum FuzzEntries {
    /// The repository root, found from this file's place in it.
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The libFuzzer process's scratch folder, removed at exit.
    static let processScratch: URL = {
        do {
            let url = try FuzzTarget.makeScratchFolder()
            atexit { try? FileManager.default.removeItem(at: FuzzEntries.processScratch) }
            return url
        } catch {
            fatalError("cannot make a scratch folder: \(error)")
        }
    }()

    /// Images are decoded up to 4 megapixels: a larger legitimate image takes longer than the
    /// campaign's 2-second timeout under ASan, which is not a bug.
    static let fuzzMaxPixels = 4_000_000

    /// Writes `data` to `name` in `scratch` (replacing it) and returns its URL.
    static func file(_ name: String, _ data: Data, in scratch: URL) -> URL {
        let url = scratch.appendingPathComponent(name)
        _ = FileManager.default.createFile(atPath: url.path, contents: data)
        return url
    }

    /// Splits at the first zero byte: (before, after); after is empty when there is none.
    static func split(_ data: Data) -> (Data, Data) {
        guard let zero = data.firstIndex(of: 0) else { return (data, Data()) }
        return (Data(data[data.startIndex..<zero]), Data(data[(zero + 1)...]))
    }

    // MARK: - safetensors

    /// The header and tensor table, then every tensor's values (as `Float` where the dtype
    /// allows it).
    static func safetensors(_ data: Data, scratch: URL) {
        let url = file("model.safetensors", data, in: scratch)
        guard let weights = try? SafetensorsFile(url: url) else { return }
        for name in weights.tensorNames {
            guard let info = weights.info(name) else { preconditionFailure("listed tensor \(name) has no info") }
            precondition(info.byteRange.upperBound <= data.count, "tensor \(name) ends past the file")
            _ = try? weights.floats(name)
        }
    }

    // MARK: - config.json / preprocessor_config.json

    /// The same bytes as every model family's config.json, as preprocessor_config.json, as
    /// detection_defaults.json and as a tokenizer_config.json.
    static func config(_ data: Data, scratch: URL) {
        let url = file("config.json", data, in: scratch)
        _ = try? CLIPConfig.load(from: url)
        _ = try? ChineseCLIPConfig.load(from: url)
        _ = try? OWLConfig.load(from: url)
        _ = ChineseCLIPConfig.declaresChineseCLIP(url)
        _ = OWLConfig.declaredFamily(url)
        _ = try? WordPieceTokenizer.options(fromConfig: url)
        let pre = file("preprocessor_config.json", data, in: scratch)
        if let config = try? ImageProcessorConfig.load(from: pre) {
            // A configuration the loader accepts must size its output without trapping, and
            // run on a small image when that output is small (a 768-px OWL pipeline takes
            // ~0.1 s in this debug ASan build, which would starve the JSON fuzzing).
            let processor = ImageProcessor(config: config)
            let resized = processor.resizedSize(width: 3, height: 2)
            let area = resized.height.multipliedReportingOverflow(by: resized.width)
            if processor.outputCount <= 3 * 256 * 256, !area.overflow, area.partialValue <= 256 * 256 {
                _ = processor.preprocess(RGBImage(width: 3, height: 2, fill: (200, 100, 50)))
            }
        }
        _ = file(DetectionDefaults.fileName, data, in: scratch)
        _ = try? DetectionDefaults.load(folder: scratch)
    }

    // MARK: - tokenizers

    static let bpeTokenizer: BPETokenizer = {
        do { return try BPETokenizer(folder: repository.appendingPathComponent("models/clip-vocab")) } catch {
            fatalError("models/clip-vocab: \(error)")
        }
    }()

    static let wordPieceTokenizer: WordPieceTokenizer = {
        do { return try WordPieceTokenizer(folder: repository.appendingPathComponent("models/chinese-clip-vocab")) } catch {
            fatalError("models/chinese-clip-vocab: \(error)")
        }
    }()

    /// The first byte picks the mode: text as arbitrary bytes (invalid UTF-8 replaced),
    /// text as strict UTF-8, a short context length, or hostile vocabulary files.
    static func tokenizerMode(_ data: Data) -> (mode: UInt8, rest: Data) {
        guard let first = data.first else { return (0, Data()) }
        return (first % 4, Data(data.dropFirst()))
    }

    static func text(_ data: Data, strict: Bool) -> String? {
        strict ? String(data: data, encoding: .utf8) : String(decoding: data, as: UTF8.self)
    }

    static func checkEncoding(_ tokens: TokenizedText, contextLength: Int, vocabularySize: Int) {
        precondition(tokens.ids.count <= max(contextLength, 2), "more ids than the context length")
        precondition(tokens.ids.allSatisfy { $0 >= 0 && Int($0) < vocabularySize }, "id outside the vocabulary")
    }

    static func bpe(_ data: Data, scratch: URL) {
        let (mode, rest) = tokenizerMode(data)
        switch mode {
        case 0, 1:
            guard let text = text(rest, strict: mode == 1) else { return }
            checkEncoding(bpeTokenizer.encode(text, contextLength: 77), contextLength: 77, vocabularySize: 49408)
        case 2:
            let length = Int(rest.first ?? 0) % 8
            let text = String(decoding: rest.dropFirst(), as: UTF8.self)
            checkEncoding(bpeTokenizer.encode(text, contextLength: length), contextLength: length, vocabularySize: 49408)
        default:
            let (vocab, merges) = split(rest)
            let folder = scratch.appendingPathComponent("bpe")
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            guard let tokenizer = try? BPETokenizer(vocabURL: file("vocab.json", vocab, in: folder),
                                                    mergesURL: file("merges.txt", merges, in: folder)) else { return }
            _ = tokenizer.encode("a photo of a cat, 猫の写真 🐈 and déjà vu", contextLength: 77)
        }
    }

    static func wordpiece(_ data: Data, scratch: URL) {
        let (mode, rest) = tokenizerMode(data)
        let size = wordPieceTokenizer.vocabularySize
        switch mode {
        case 0, 1:
            guard let text = text(rest, strict: mode == 1) else { return }
            checkEncoding(wordPieceTokenizer.encode(text, contextLength: 52), contextLength: 52, vocabularySize: size)
        case 2:
            let length = Int(rest.first ?? 0) % 8
            let text = String(decoding: rest.dropFirst(), as: UTF8.self)
            checkEncoding(wordPieceTokenizer.encode(text, contextLength: length), contextLength: length, vocabularySize: size)
        default:
            let folder = scratch.appendingPathComponent("wordpiece")
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let options = WordPieceTokenizer.Options(lowercase: rest.count % 2 == 0, stripAccents: nil, tokenizeChineseChars: true)
            guard let tokenizer = try? WordPieceTokenizer(vocabURL: file("vocab.txt", rest, in: folder), options: options) else { return }
            let tokens = tokenizer.encode("a photo of a cat, 一只猫的照片 🐈 and déjà vu", contextLength: 52)
            checkEncoding(tokens, contextLength: 52, vocabularySize: tokenizer.vocabularySize)
        }
    }

    // MARK: - images

    /// The Swift header parsers (JPEG, PNG, GIF, BMP, WebP, TIFF and the EXIF block).
    static func imageHeader(_ data: Data) {
        guard let header = try? ImageLoader.header(data: data, name: "input", maxPixels: fuzzMaxPixels) else { return }
        precondition(header.width > 0 && header.height > 0 && header.width * header.height <= fuzzMaxPixels)
        precondition((1...8).contains(header.orientation))
    }

    /// The whole decode: header, libjpeg or OpenCV through the shim, EXIF orientation, PIL's
    /// colour conversion.
    static func imageDecode(_ data: Data) {
        guard let image = try? ImageLoader.decode(data: data, name: "input", maxPixels: fuzzMaxPixels) else { return }
        precondition(image.width > 0 && image.height > 0 && image.width * image.height <= fuzzMaxPixels)
    }

    // MARK: - COCO

    /// Ground truth before the first zero byte, a results file after it; evaluated when both
    /// are valid.
    static func coco(_ data: Data, scratch: URL) {
        let (truth, results) = split(data)
        guard let groundTruth = try? COCOGroundTruth.load(from: file("instances.json", truth, in: scratch)) else { return }
        let detections = (try? COCODetection.load(from: file("results.json", results, in: scratch), groundTruth: groundTruth)) ?? []
        guard groundTruth.annotations.count + detections.count <= 2_000 else { return }
        let metrics = COCOEvaluator.evaluate(groundTruth: groundTruth, detections: detections)
        precondition(metrics.stats.count == 12)
    }

    // MARK: - hub answers

    static let hubSettings = HubSettings(endpoint: URL(string: "https://huggingface.co")!,
                                         cacheFolder: URL(fileURLWithPath: "/nonexistent/hub"), token: "hf_secret")

    /// Text in the shape of an HTTP answer: first line `MODEL_ID OFFSET`, second line
    /// `STATUS [URL]`, then `Name: value` header lines.
    static func hubResponse(_ data: Data) {
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 2 else { return }
        let first = lines[0].split(separator: " ", maxSplits: 1)
        guard let idText = first.first, let id = try? HubModelID(parsing: String(idText)) else { return }
        let offset = first.count > 1 ? Int64(first[1].trimmingCharacters(in: .whitespaces)) ?? 0 : 0
        let statusLine = lines[1].split(separator: " ", maxSplits: 1)
        guard let status = statusLine.first.flatMap({ Int($0) }) else { return }
        var headers: [String: String] = [:]
        for line in lines.dropFirst(2) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[String(line[..<colon])] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        let requestURL = hubSettings.resolveURL(repo: id.repo, revision: id.revision, file: "config.json")
        let answerURL = statusLine.count > 1 ? URL(string: String(statusLine[1])) ?? requestURL : requestURL
        let answer = HTTPResponse(status: status, headers: headers, url: answerURL)
        if let meta = try? HubAnswers.fileMetadata(answer, requestURL: requestURL, id: id, revision: id.revision,
                                                  file: "config.json", settings: hubSettings) {
            // The etag becomes a file name under blobs/: it must stay one plain name.
            precondition(!meta.etag.isEmpty && !meta.etag.contains("/") && meta.etag != "." && meta.etag != "..")
            let sent = ["Authorization": "Bearer hf_secret", "User-Agent": "fuzz"]
            if let forwarded = HubAnswers.redirectHeaders(from: requestURL, to: meta.location, sameOriginOnly: false, headers: sent),
               forwarded["Authorization"] != nil {
                precondition(meta.location.host?.lowercased() == requestURL.host?.lowercased(), "token sent to another host")
            }
        }
        _ = try? HubAnswers.downloadStart(answer, offset: max(0, offset), label: "\(id.repo)/config.json")
    }

    // MARK: - hub discussions listing

    /// One page of the hub's discussions listing (the safetensors pull-request hint): parsed or
    /// rejected, and what it names is a usable pull-request number.
    static func hubDiscussions(_ data: Data) {
        guard let page = try? ConversionPullRequests.parse(discussionsPage: data) else { return }
        precondition(page.candidates.allSatisfy { $0 > 0 }, "a candidate that is not a pull-request number")
    }

    // MARK: - Parquet shards

    /// A Parquet file as the Ray driver's shards are read (`ImageIndex.importShards`): decoded
    /// or rejected with one line; when decoded every column holds one value per row (the import
    /// indexes them by row) of the column's type.
    static func parquet(_ data: Data) {
        do {
            let table = try ParquetFile(bytes: Array(data))
            for column in table.columns {
                precondition(column.values.count == table.rowCount, "column \(column.name): \(column.values.count) values for \(table.rowCount) rows")
                precondition(column.optional || !column.values.contains { $0 == nil }, "null in required column \(column.name)")
                for value in column.values {
                    switch (value, column.type) {
                    case (nil, _), (.int32?, .int32), (.int64?, .int64), (.float?, .float), (.double?, .double), (.bytes?, .byteArray): break
                    default: preconditionFailure("column \(column.name) of \(column.type) holds \(String(describing: value))")
                    }
                }
            }
        } catch let error as ParquetError {
            precondition(!error.message.contains("\n"), "error of more than one line")
        } catch {
            preconditionFailure("not a ParquetError: \(error)")
        }
    }
}
