/// A fixed-size, 64-byte-aligned block of `Float`s owned by reference.
///
/// Weights and activation buffers live in these rather than in `[Float]` so that hot loops
/// run on raw pointers with no copy-on-write or exclusivity checks, and so that a buffer can be
/// handed to `cblas_sgemm` without bridging. Contents start zeroed.
public final class FloatBuffer: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    public init(count: Int) {
        precondition(count >= 0, "FloatBuffer count must be non-negative")
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { pointer.update(from: base, count: values.count) }
        }
    }

    deinit {
        pointer.deinitialize(count: max(count, 1))
        pointer.deallocate()
    }

    public var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }

    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

/// A named weight tensor: data plus its shape, as read from the checkpoint.
public struct Tensor: @unchecked Sendable {
    public let shape: [Int]
    public let storage: FloatBuffer

    public init(shape: [Int], storage: FloatBuffer) {
        precondition(shape.reduce(1, *) == storage.count, "Tensor shape does not match its storage")
        self.shape = shape
        self.storage = storage
    }

    public var pointer: UnsafeMutablePointer<Float> { storage.pointer }
    public var count: Int { storage.count }
}
