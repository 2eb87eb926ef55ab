import Foundation

/// Embeddings as SQLite blobs: little-endian IEEE float32, `dimension × 4` bytes, so an index
/// file reads the same on any machine.
enum EmbeddingBlob {
    static func encode(_ v: [Float]) -> Data {
        var data = Data(count: v.count * 4)
        data.withUnsafeMutableBytes { raw in
            for (i, x) in v.enumerated() { raw.storeBytes(of: x.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self) }
        }
        return data
    }

    /// Appends the floats of `blob` to `out`. Returns false (appending nothing) unless the
    /// blob holds exactly `dimension` floats.
    static func append(_ blob: Data, dimension: Int, to out: inout [Float]) -> Bool {
        guard blob.count == dimension * 4 else { return false }
        blob.withUnsafeBytes { raw in
            for i in 0..<dimension {
                out.append(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))))
            }
        }
        return true
    }
}
