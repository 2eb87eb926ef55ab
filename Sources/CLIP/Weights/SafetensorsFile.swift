import Foundation

/// Where one tensor lives in a safetensors file, as declared by its (validated) header.
public struct SafetensorsTensorInfo: Sendable {
    /// The tensor's key in the header, e.g. `vision_model.embeddings.patch_embedding.weight`.
    public let name: String
    public let dtype: SafetensorsDType
    /// Row-major dimensions; `[]` is a scalar (one element).
    public let shape: [Int]
    /// Absolute byte offsets of the tensor's data in the file.
    public let byteRange: Range<Int>
    /// Product of `shape` (checked not to overflow when the header was read).
    public let elementCount: Int
}

/// A safetensors file opened for reading, its header validated before any byte is trusted.
///
/// The file is memory-mapped, not copied: opening a 1.7 GB checkpoint costs a header parse,
/// and each tensor is converted to `Float` only when asked for, one at a time.
///
/// ```swift
/// let weights = try SafetensorsFile(url: folder.appendingPathComponent("model.safetensors"))
/// guard let info = weights.info("text_projection.weight") else { … }
/// let values = try weights.floats("text_projection.weight")  // info.elementCount floats
/// ```
///
/// Opening fails with a one-line `CLIPError` naming the file (and the tensor, when there is
/// one) for any file the reference implementation would reject, plus duplicate keys and
/// unknown fields in tensor entries. Thread-safe: instances are immutable after `init`.
public final class SafetensorsFile: @unchecked Sendable {
    public let url: URL
    /// Tensor names in file order (by data offset).
    public let tensorNames: [String]
    /// The header's `__metadata__` (e.g. `["format": "pt"]`), empty when absent.
    public let metadata: [String: String]

    private let mapping: MappedFile
    private let infos: [String: SafetensorsTensorInfo]

    /// Maps and validates the file at `url`.
    ///
    /// Throws `CLIPError` when the file cannot be read or breaks any safetensors rule: size,
    /// header length, UTF-8, JSON syntax, schema, dtype, shape/offset agreement, and that the
    /// tensors tile the data region exactly to the end of the file.
    public init(url: URL) throws {
        self.url = url
        mapping = try MappedFile(url: url)
        let header: SafetensorsHeader
        do {
            header = try SafetensorsHeader(file: mapping.bytes)
        } catch let problem as SafetensorsHeaderProblem {
            throw CLIPError("\(url.path): \(problem.message)")
        }
        var infos: [String: SafetensorsTensorInfo] = [:]
        infos.reserveCapacity(header.entries.count)
        for entry in header.entries {
            let start = header.dataStart + entry.dataOffsets.lowerBound
            infos[entry.name] = SafetensorsTensorInfo(
                name: entry.name, dtype: entry.dtype, shape: entry.shape,
                byteRange: start..<(start + entry.dataOffsets.count), elementCount: entry.elementCount)
        }
        self.infos = infos
        tensorNames = header.entries.map(\.name)
        metadata = header.metadata
    }

    /// The tensor's declaration, or nil when the file has no tensor of that name.
    public func info(_ name: String) -> SafetensorsTensorInfo? {
        infos[name]
    }

    /// The tensor's values widened to `Float` (exactly), row-major.
    ///
    /// Throws when the tensor is missing or its dtype is not F32, F16 or BF16.
    public func floats(_ name: String) throws -> [Float] {
        let info = try floatInfo(name)
        return try [Float](unsafeUninitializedCapacity: info.elementCount) { buffer, initialized in
            try readFloats(name, into: buffer)
            initialized = info.elementCount
        }
    }

    /// Writes the tensor's values, widened to `Float`, into `out` without allocating.
    ///
    /// Precondition (checked, throws): `out.count == info(name)!.elementCount`.
    public func readFloats(_ name: String, into out: UnsafeMutableBufferPointer<Float>) throws {
        let info = try floatInfo(name)
        guard out.count == info.elementCount else {
            throw CLIPError(
                "\(url.path): tensor \(SafetensorsHeader.quote(name)) has \(info.elementCount) elements (shape \(info.shape)) but the destination holds \(out.count)")
        }
        guard let destination = out.baseAddress, let base = mapping.bytes.baseAddress, info.elementCount > 0 else {
            return
        }
        let source = base + info.byteRange.lowerBound
        switch info.dtype {
        case .F32:
            // Little-endian hosts store floats exactly as the file does.
            #if _endian(little)
            UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: info.byteRange.count)
            #else
            for index in 0..<info.elementCount {
                destination[index] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(
                    fromByteOffset: 4 * index, as: UInt32.self)))
            }
            #endif
        case .F16:
            HalfFloat.widenF16(source, into: destination, count: info.elementCount)
        case .BF16:
            HalfFloat.widenBF16(source, into: destination, count: info.elementCount)
        default:
            throw CLIPError("\(url.path): unreachable dtype \(info.dtype)")  // floatInfo filtered it
        }
    }

    /// The info of a tensor that can be read as floats, or the error saying why not.
    private func floatInfo(_ name: String) throws -> SafetensorsTensorInfo {
        guard let info = infos[name] else {
            throw CLIPError(
                "\(url.path): no tensor named \(SafetensorsHeader.quote(name)) (the file has \(infos.count) tensors)")
        }
        switch info.dtype {
        case .F32, .F16, .BF16:
            return info
        default:
            throw CLIPError(
                "\(url.path): tensor \(SafetensorsHeader.quote(name)) has dtype \(info.dtype); only F32, F16 and BF16 can be read as floats")
        }
    }
}
