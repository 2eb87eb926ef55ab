#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Writes float tensors as a safetensors file that the reference implementation (and
/// `SafetensorsFile`) reads back.
///
/// ```swift
/// try SafetensorsWriter.write([(name: "w", shape: [2, 3], values: [1, 2, 3, 4, 5, 6])],
///                             dtype: .F16, metadata: ["format": "pt"], to: url)
/// ```
///
/// Tensors are stored in the order given. The header is padded with spaces to a multiple of
/// 8 bytes, as the reference does, so F32 data starts aligned. The file appears atomically:
/// data goes to a temporary file in the same folder, which is renamed over `url` only once
/// complete, so a failure never leaves a half-written file behind.
public enum SafetensorsWriter {
    /// Writes `tensors`, converting every value to `dtype` (F32, F16 or BF16; narrowing
    /// rounds to nearest even, like numpy and torch).
    ///
    /// Preconditions (checked, throw `CLIPError` naming the file): names are unique and not
    /// `__metadata__`; dimensions are non-negative; `values.count` is the product of `shape`.
    public static func write(
        _ tensors: [(name: String, shape: [Int], values: [Float])],
        dtype: SafetensorsDType,
        metadata: [String: String] = [:],
        to url: URL
    ) throws {
        let path = url.path
        guard [.F32, .F16, .BF16].contains(dtype) else {
            throw CLIPError("\(path): cannot write dtype \(dtype); the writer supports F32, F16 and BF16")
        }
        let header = try headerBytes(tensors, dtype: dtype, metadata: metadata, path: path)

        let directory = url.deletingLastPathComponent().path
        let temporary = "\(directory)/.\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: .min ... .max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw systemError(path, "cannot create a temporary file in \(directory)") }
        var closed = false
        var renamed = false
        defer {
            if !closed { close(descriptor) }
            if !renamed { unlink(temporary) }
        }
        var length = UInt64(header.count).littleEndian
        try withUnsafeBytes(of: &length) { try writeAll(descriptor, $0, path: path) }
        try header.withUnsafeBytes { try writeAll(descriptor, $0, path: path) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        for tensor in tensors {
            try writeValues(tensor.values, dtype: dtype, descriptor: descriptor, chunk: &chunk, path: path)
        }
        guard fsync(descriptor) == 0 else { throw systemError(path, "cannot flush") }
        closed = true
        guard close(descriptor) == 0 else { throw systemError(path, "cannot close") }
        guard rename(temporary, path) == 0 else { throw systemError(path, "cannot move the finished file into place") }
        renamed = true
    }

    // MARK: - Header

    private static func headerBytes(
        _ tensors: [(name: String, shape: [Int], values: [Float])],
        dtype: SafetensorsDType, metadata: [String: String], path: String
    ) throws -> [UInt8] {
        var json = "{"
        if !metadata.isEmpty {
            // Sorted so the same input always gives the same bytes.
            let members = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            json += "\"__metadata__\":{\(members.joined(separator: ","))}"
        }
        var names = Set<String>()
        var offset = 0
        for tensor in tensors {
            let tensorName = SafetensorsHeader.quote(tensor.name)
            guard tensor.name != "__metadata__" else {
                throw CLIPError("\(path): \"__metadata__\" is reserved and cannot name a tensor")
            }
            guard names.insert(tensor.name).inserted else {
                throw CLIPError("\(path): tensor \(tensorName) is given twice")
            }
            var elements = 1
            for dimension in tensor.shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                guard dimension >= 0, !overflow else {
                    throw CLIPError("\(path): tensor \(tensorName) has an invalid shape \(tensor.shape)")
                }
                elements = product
            }
            guard elements == tensor.values.count else {
                throw CLIPError(
                    "\(path): tensor \(tensorName) has shape \(tensor.shape) (\(elements) elements) but \(tensor.values.count) values")
            }
            let end = offset + elements * dtype.byteSize
            if json.count > 1 { json += "," }
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            json += "\(jsonString(tensor.name)):{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}"
            offset = end
        }
        json += "}"
        var bytes = Array(json.utf8)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - bytes.count % 8) % 8))
        return bytes
    }

    /// A JSON string literal (RFC 8259 escapes; non-ASCII passes through as UTF-8).
    private static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    // MARK: - Data

    /// Converts `values` chunk by chunk into `chunk` (reused, little-endian) and writes them.
    private static func writeValues(
        _ values: [Float], dtype: SafetensorsDType, descriptor: Int32, chunk: inout [UInt8], path: String
    ) throws {
        let perChunk = chunk.count / dtype.byteSize
        var start = 0
        while start < values.count {
            let count = min(perChunk, values.count - start)
            try values.withUnsafeBufferPointer { source in
                try chunk.withUnsafeMutableBytes { raw in
                    for index in 0..<count {
                        let value = source[start + index]
                        switch dtype {
                        case .F16:
                            raw.storeBytes(of: HalfFloat.f16Bits(from: value).littleEndian, toByteOffset: 2 * index, as: UInt16.self)
                        case .BF16:
                            raw.storeBytes(of: HalfFloat.bf16Bits(from: value).littleEndian, toByteOffset: 2 * index, as: UInt16.self)
                        default:
                            raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: 4 * index, as: UInt32.self)
                        }
                    }
                    try writeAll(descriptor, UnsafeRawBufferPointer(rebasing: raw[0..<(count * dtype.byteSize)]), path: path)
                }
            }
            start += count
        }
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let written = posixWrite(descriptor, base + done, bytes.count - done)
            if written < 0 {
                if errno == EINTR { continue }
                throw systemError(path, "cannot write")
            }
            done += written
        }
    }

    private static func systemError(_ path: String, _ action: String) -> CLIPError {
        CLIPError("\(path): \(action): \(String(cString: strerror(errno)))")
    }
}

/// `write(2)`, out of reach inside `SafetensorsWriter` whose own `write` shadows it.
private func posixWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
