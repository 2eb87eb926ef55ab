import CLIP
import Dispatch
import Foundation
import Imaging

/// A batch of files decoded and preprocessed into `pixel_values`, ready for the encoder.
final class PreparedBatch: @unchecked Sendable {
    let files: [ScannedFile]
    /// Indices into `files` that decoded, in pixel-slot order.
    private(set) var decoded: [Int] = []
    private(set) var failures: [(file: ScannedFile, reason: String)] = []
    private let pixels: FloatBuffer

    init(_ files: [ScannedFile], model: CLIPModel) {
        self.files = files
        var images = [RGBImage?](repeating: nil, count: files.count)
        var errors = [String?](repeating: nil, count: files.count)
        images.withUnsafeMutableBufferPointer { imageSlots in
            errors.withUnsafeMutableBufferPointer { errorSlots in
                DispatchQueue.concurrentPerform(iterations: files.count) { i in
                    do {
                        imageSlots[i] = try ImageLoader.load(path: files[i].path)
                    } catch let e as ImagingError {
                        errorSlots[i] = e.reason
                    } catch {
                        errorSlots[i] = "\(error)"
                    }
                }
            }
        }
        var ok: [RGBImage] = []
        for i in files.indices {
            if let image = images[i] {
                decoded.append(i)
                ok.append(image)
            } else {
                failures.append((files[i], errors[i] ?? "cannot be decoded"))
            }
        }
        let per = 3 * model.imageSize * model.imageSize
        pixels = FloatBuffer(count: max(1, decoded.count) * per)
        model.preprocess(ok, range: 0..<ok.count, into: pixels.pointer)
    }

    /// Embeddings of the decoded files, in `decoded` order.
    func encode(with model: CLIPModel, batchSize: Int) -> [[Float]] {
        guard !decoded.isEmpty else { return [] }
        let per = 3 * model.imageSize * model.imageSize
        return model.imageFeatures(pixelValues: UnsafeBufferPointer(start: pixels.pointer, count: decoded.count * per),
                                   count: decoded.count, batchSize: batchSize)
    }

    /// One record per file, in `files` order: the embedding from `embeddings` (`decoded` order)
    /// or the decoding failure.
    func records(_ embeddings: [[Float]]) -> [IndexRecord] {
        var out = files.map { IndexRecord(file: $0, embedding: nil) }
        for (slot, fileIndex) in decoded.enumerated() { out[fileIndex].embedding = embeddings[slot] }
        for (i, f) in files.enumerated() where out[i].embedding == nil {
            out[i].error = failures.first { $0.file == f }?.reason ?? "cannot be decoded"
        }
        return out
    }
}
