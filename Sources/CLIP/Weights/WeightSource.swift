import Foundation

/// How a parameter should be initialised when weights are generated rather than loaded.
public enum WeightInit: Sendable {
    case normal(std: Float)
    case ones
    case zeros
}

/// Where a model's parameters come from: a checkpoint on disk or a seeded random generator.
///
/// Every layer asks for its own tensors by their full `transformers` key
/// (`vision_model.encoder.layers.3.mlp.fc1.weight`) and the shape it expects; the source either
/// returns exactly that or throws. After the model is built, `finish()` reports anything the
/// model did not ask for.
public protocol WeightSource: AnyObject {
    /// Returns the tensor stored under `key`. Throws when it is missing or has another shape.
    func tensor(_ key: String, shape: [Int], initializer: WeightInit) throws -> Tensor
    /// Marks an optional non-parameter buffer (e.g. `position_ids` saved by old checkpoints) as
    /// known, checking its shape when present.
    func acceptBuffer(_ key: String, shape: [Int]) throws
    /// Throws when the source holds tensors that no layer asked for.
    func finish() throws
}

/// Weights read from a `model.safetensors` file, strictly: a missing, mis-shaped or unknown
/// tensor is an error naming the file and the key.
public final class SafetensorsWeights: WeightSource {
    public let file: SafetensorsFile
    private var used = Set<String>()
    private let fileName: String

    public init(url: URL) throws {
        file = try SafetensorsFile(url: url)
        fileName = url.path
    }

    public func tensor(_ key: String, shape: [Int], initializer: WeightInit) throws -> Tensor {
        guard let info = file.info(key) else {
            throw CLIPError("\(fileName): missing tensor \"\(key)\" (expected shape \(shape)); is this a CLIPModel checkpoint of this config?")
        }
        guard info.shape == shape else {
            throw CLIPError("\(fileName): tensor \"\(key)\" has shape \(info.shape), config.json implies \(shape)")
        }
        let storage = FloatBuffer(count: info.elementCount)
        try file.readFloats(key, into: storage.buffer)
        used.insert(key)
        return Tensor(shape: shape, storage: storage)
    }

    public func acceptBuffer(_ key: String, shape: [Int]) throws {
        guard let info = file.info(key) else { return }
        guard info.shape == shape else {
            throw CLIPError("\(fileName): buffer \"\(key)\" has shape \(info.shape), expected \(shape)")
        }
        used.insert(key)
    }

    public func finish() throws {
        let extra = file.tensorNames.filter { !used.contains($0) }
        guard extra.isEmpty else {
            let shown = extra.prefix(5).map { "\"\($0)\"" }.joined(separator: ", ")
            let more = extra.count > 5 ? " and \(extra.count - 5) more" : ""
            throw CLIPError("\(fileName): \(extra.count) unexpected tensor(s) not used by the CLIP architecture in config.json: \(shown)\(more)")
        }
    }
}

/// Seeded random weights with the shapes the architecture asks for: lets `bench --config`
/// and tests run a full-size model without any download. Same seed, same weights.
public final class RandomWeights: WeightSource {
    private var state: UInt64

    public init(seed: UInt64 = 0x5EED) {
        state = seed &+ 0x9E37_79B9_7F4A_7C15
    }

    // SplitMix64: fast, good enough for initialisation, identical on every platform.
    private func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public func tensor(_ key: String, shape: [Int], initializer: WeightInit) throws -> Tensor {
        let n = shape.reduce(1, *)
        let storage = FloatBuffer(count: n)
        let p = storage.pointer
        switch initializer {
        case .zeros: break
        case .ones: p.update(repeating: 1, count: n)
        case .normal(let std):
            // Uniform with the same standard deviation: the speed benchmark only needs the scale.
            let a = std * 3.0.squareRoot().float
            for i in 0..<n {
                let u = Float(next() >> 40) * (1 / Float(1 << 24))
                p[i] = (2 * u - 1) * a
            }
        }
        return Tensor(shape: shape, storage: storage)
    }

    public func acceptBuffer(_ key: String, shape: [Int]) throws {}
    public func finish() throws {}
}

private extension Double {
    var float: Float { Float(self) }
}
