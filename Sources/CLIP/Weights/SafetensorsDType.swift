/// An element type a safetensors header may name, spelled exactly as in the header
/// (`"F32"`, `"BF16"`, …).
///
/// The list mirrors the reference implementation (huggingface/safetensors, `Dtype` in
/// `safetensors/src/tensor.rs`, 0.6+), including the packed sub-byte float formats, so that a
/// valid file of any kind opens; only `F32`, `F16` and `BF16` can be read as floats.
///
/// ```swift
/// SafetensorsDType(rawValue: "BF16")?.byteSize  // 2
/// ```
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case BOOL, U8, I8, I16, U16, I32, U32, I64, U64
    case F16, BF16, F32, F64, C64
    case F8_E5M2, F8_E4M3, F8_E8M0, F8_E4M3FNUZ, F8_E5M2FNUZ
    /// Packed sub-byte floats: a tensor's bits must add up to whole bytes.
    case F4, F6_E2M3, F6_E3M2

    /// Bits per element; the unit the reference sizes tensors in (sub-byte types pack).
    public var bitSize: Int {
        switch self {
        case .F4: return 4
        case .F6_E2M3, .F6_E3M2: return 6
        case .BOOL, .U8, .I8, .F8_E5M2, .F8_E4M3, .F8_E8M0, .F8_E4M3FNUZ, .F8_E5M2FNUZ: return 8
        case .I16, .U16, .F16, .BF16: return 16
        case .I32, .U32, .F32: return 32
        case .I64, .U64, .F64, .C64: return 64
        }
    }

    /// Bytes per element. For the packed sub-byte types (`F4`, `F6_*`) an element has no
    /// whole-byte size and this is 0; size those tensors with `byteCount(elements:)`.
    public var byteSize: Int { bitSize % 8 == 0 ? bitSize / 8 : 0 }

    /// Bytes taken by `elements` values of this type, or nil when that overflows `Int` or
    /// the bits do not fill whole bytes (both make a header invalid).
    public func byteCount(elements: Int) -> Int? {
        let (bits, overflow) = elements.multipliedReportingOverflow(by: bitSize)
        guard !overflow, bits % 8 == 0 else { return nil }
        return bits / 8
    }
}
