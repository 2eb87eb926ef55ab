/// Exact conversions between 16-bit floats (IEEE binary16 "F16", bfloat16 "BF16") and `Float`.
///
/// Widening is exact for every bit pattern: subnormals become normal floats, infinities stay
/// infinite, NaNs keep their sign and payload (shifted into the float mantissa, as numpy and
/// torch do). Narrowing rounds to nearest, ties to even, like numpy's `astype(float16)` and
/// torch's `.to(bfloat16)`. Values are read little-endian from any alignment.
enum HalfFloat {
    /// Widens one F16 bit pattern.
    @inline(__always)
    static func float(fromF16 bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let magnitude = UInt32(bits & 0x7FFF)
        if magnitude >= 0x7C00 {  // infinity or NaN: exponent all ones
            return Float(bitPattern: sign | 0x7F80_0000 | (magnitude & 0x3FF) << 13)
        }
        // Placing exponent and mantissa 13 bits up gives a float 2^112 too small (bias 127 vs
        // 15); one exact multiply rescales it, and turns half subnormals (float subnormals
        // here) into the right normal floats without a normalisation loop.
        let scaled = Float(bitPattern: magnitude << 13) * 0x1p112
        return Float(bitPattern: sign | scaled.bitPattern)
    }

    /// Widens one BF16 bit pattern: bfloat16 is the top half of a float.
    @inline(__always)
    static func float(fromBF16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// Narrows to F16, rounding to nearest even; overflow gives ±infinity, NaN stays NaN
    /// (payload truncated, forced non-zero, like numpy).
    static func f16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: bits >> 16) & 0x8000
        let magnitude = bits & 0x7FFF_FFFF
        if magnitude >= 0x7F80_0000 {
            guard magnitude > 0x7F80_0000 else { return sign | 0x7C00 }
            let payload = UInt16(truncatingIfNeeded: (magnitude & 0x7F_FFFF) >> 13)
            return sign | 0x7C00 | (payload == 0 ? 1 : payload)
        }
        // 65520 is halfway between the largest half (65504, odd mantissa) and 65536: ties
        // to even go up, so it and everything above become infinity.
        if magnitude >= 0x477F_F000 { return sign | 0x7C00 }
        if magnitude < 0x3880_0000 {  // below 2^-14: a half subnormal (or zero)
            let exponent = Int(magnitude >> 23)
            let shift = 126 - exponent  // value = mantissa * 2^-24 >> shift
            guard shift <= 24 else { return sign }  // below 2^-25 rounds to zero
            let mantissa = (magnitude & 0x7F_FFFF) | 0x80_0000
            return sign | UInt16(truncatingIfNeeded: roundShift(mantissa, by: UInt32(shift)))
        }
        let rebiased = (magnitude >> 13) - ((127 - 15) << 10)
        return sign | UInt16(truncatingIfNeeded: rebiased + roundingCarry(magnitude, keptLowBit: rebiased, dropped: 13))
    }

    /// Narrows to BF16, rounding to nearest even; NaN stays NaN (quieted, like torch).
    static func bf16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if bits & 0x7FFF_FFFF > 0x7F80_0000 {
            return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040
        }
        // Adding 0x7FFF plus the kept low bit rounds ties to even; a carry into the exponent
        // is the correct rounding (up to infinity at the top).
        return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }

    /// Widens `count` F16 values at `source` into `destination`.
    ///
    /// Written as one branch-free scalar body so LLVM vectorises the loop (explicit
    /// `SIMD16` code with a comparison mask was scalarised and ran 10× slower).
    static func widenF16(_ source: UnsafeRawPointer, into destination: UnsafeMutablePointer<Float>, count: Int) {
        for index in 0..<count {
            let bits = UInt32(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)))
            let sign = (bits & 0x8000) &<< 16
            let shifted = (bits & 0x7FFF) &<< 13
            let scaled = (Float(bitPattern: shifted) * 0x1p112).bitPattern
            let magnitude = shifted >= 0x0F80_0000 ? shifted | 0x7F80_0000 : scaled  // inf/NaN keep payload
            destination[index] = Float(bitPattern: magnitude | sign)
        }
    }

    /// Widens `count` BF16 values at `source` into `destination`.
    static func widenBF16(_ source: UnsafeRawPointer, into destination: UnsafeMutablePointer<Float>, count: Int) {
        for index in 0..<count {
            let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))
            destination[index] = Float(bitPattern: UInt32(bits) &<< 16)
        }
    }

    // MARK: - Rounding helpers

    /// `value >> shift` rounded to nearest, ties to even (shift in 1...31).
    @inline(__always)
    private static func roundShift(_ value: UInt32, by shift: UInt32) -> UInt32 {
        let kept = value >> shift
        return kept + roundingCarry(value, keptLowBit: kept, dropped: shift)
    }

    /// 1 when the `dropped` low bits of `value` round the kept part up (ties to even).
    @inline(__always)
    private static func roundingCarry(_ value: UInt32, keptLowBit kept: UInt32, dropped: UInt32) -> UInt32 {
        let remainder = value & ((1 << dropped) - 1)
        let half: UInt32 = 1 << (dropped - 1)
        return remainder > half || (remainder == half && kept & 1 == 1) ? 1 : 0
    }
}
