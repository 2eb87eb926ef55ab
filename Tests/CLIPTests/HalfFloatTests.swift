import Foundation
import TestSupport
import XCTest

@testable import CLIP

/// Exhaustive checks of the F16/BF16 ↔ Float conversions against definitions written
/// independently of the implementation.
final class HalfFloatTests: XCTestCase {
    /// IEEE binary16 by its definition: (-1)^s × 2^(e-15) × 1.m, subnormals 2^-14 × 0.m.
    private func referenceFloat(fromF16 bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1F)
        let mantissa = Float(bits & 0x3FF)
        switch exponent {
        case 0: return sign * mantissa * 0x1p-24
        case 31:
            // NaN payloads are not arithmetic: spell out the expected bits.
            return mantissa == 0 ? sign * .infinity
                : Float(bitPattern: UInt32(bits & 0x8000) << 16 | 0x7F80_0000 | UInt32(bits & 0x3FF) << 13)
        default: return sign * (1 + mantissa / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

    func testEveryF16BitPatternWidensExactly() {
        for bits in 0...UInt16.max {
            let expected = referenceFloat(fromF16: bits)
            XCTAssertEqual(HalfFloat.float(fromF16: bits).bitPattern, expected.bitPattern, "half 0x\(String(bits, radix: 16))")
        }
    }

    func testVectorisedF16WideningMatchesScalarForAllPatternsAtAnyAlignment() {
        let patterns = (0...UInt16.max).map { $0 }
        for misalignment in [0, 1] {
            var bytes = [UInt8](repeating: 0, count: misalignment)
            for bits in patterns { bytes += [UInt8(bits & 0xFF), UInt8(bits >> 8)] }
            var out = [Float](repeating: 0, count: patterns.count)
            bytes.withUnsafeBytes { raw in
                out.withUnsafeMutableBufferPointer { buffer in
                    HalfFloat.widenF16(raw.baseAddress! + misalignment, into: buffer.baseAddress!, count: patterns.count)
                }
            }
            let mismatches = patterns.filter { out[Int($0)].bitPattern != referenceFloat(fromF16: $0).bitPattern }
            XCTAssertEqual(mismatches, [], "misalignment \(misalignment)")
        }
    }

    func testVectorisedBF16WideningPutsTheBitsOnTop() {
        let patterns = (0...UInt16.max).map { $0 }
        var bytes = [UInt8(0)]
        for bits in patterns { bytes += [UInt8(bits & 0xFF), UInt8(bits >> 8)] }
        var out = [Float](repeating: 0, count: patterns.count)
        bytes.withUnsafeBytes { raw in
            out.withUnsafeMutableBufferPointer { buffer in
                HalfFloat.widenBF16(raw.baseAddress! + 1, into: buffer.baseAddress!, count: patterns.count)
            }
        }
        XCTAssertEqual(out.map(\.bitPattern), patterns.map { UInt32($0) << 16 })
    }

    func testNarrowingToF16InvertsWideningForEveryPattern() {
        for bits in 0...UInt16.max {
            let back = HalfFloat.f16Bits(from: HalfFloat.float(fromF16: bits))
            XCTAssertEqual(back, bits, "half 0x\(String(bits, radix: 16))")
        }
    }

    func testNarrowingToF16RoundsEveryMidpointToEven() {
        // Between each pair of neighbouring finite halves of the same sign: the exact midpoint
        // goes to the even one, one float step either side goes to the nearer one.
        for low in UInt16(0)..<0x7BFF {
            let below = HalfFloat.float(fromF16: low)
            let above = HalfFloat.float(fromF16: low + 1)
            let midpoint = (below + above) / 2  // exact: halves have 11 significant bits
            let even = low & 1 == 0 ? low : low + 1
            for (sign, factor): (UInt16, Float) in [(0, 1), (0x8000, -1)] {
                let context = "midpoint above 0x\(String(low | sign, radix: 16))"
                XCTAssertEqual(HalfFloat.f16Bits(from: factor * midpoint), even | sign, context)
                XCTAssertEqual(HalfFloat.f16Bits(from: factor * midpoint.nextDown), low | sign, context)
                XCTAssertEqual(HalfFloat.f16Bits(from: factor * midpoint.nextUp), (low + 1) | sign, context)
            }
        }
    }

    func testNarrowingToF16HandlesOverflowUnderflowAndNaN() {
        XCTAssertEqual(HalfFloat.f16Bits(from: 65519.996), 0x7BFF)
        XCTAssertEqual(HalfFloat.f16Bits(from: 65520), 0x7C00)
        XCTAssertEqual(HalfFloat.f16Bits(from: -1e30), 0xFC00)
        XCTAssertEqual(HalfFloat.f16Bits(from: 0x1p-25), 0x0000)  // tie with zero: even
        XCTAssertEqual(HalfFloat.f16Bits(from: Float(0x1p-25).nextUp), 0x0001)
        XCTAssertEqual(HalfFloat.f16Bits(from: -0x1p-30), 0x8000)
        XCTAssertEqual(HalfFloat.f16Bits(from: .leastNonzeroMagnitude), 0x0000)
        XCTAssertEqual(HalfFloat.f16Bits(from: Float(bitPattern: 0x7F80_0001)), 0x7C01, "tiny payload stays NaN")
        XCTAssertEqual(HalfFloat.f16Bits(from: Float(bitPattern: 0xFFC0_0000)), 0xFE00, "sign and quiet bit kept")
    }

    #if !(os(macOS) && arch(x86_64))  // Float16 is unavailable there
    func testNarrowingToF16AgreesWithSwiftFloat16OnSampledFloats() {
        // Every 4099th float bit pattern: all exponents, many mantissas, both signs.
        var bits: UInt32 = 0
        while true {
            let value = Float(bitPattern: bits)
            let expected = Float16(value).bitPattern
            let actual = HalfFloat.f16Bits(from: value)
            if value.isNaN {
                XCTAssertTrue(Float16(bitPattern: actual).isNaN)
            } else if actual != expected {
                XCTFail("0x\(String(bits, radix: 16)): got 0x\(String(actual, radix: 16)), want 0x\(String(expected, radix: 16))")
                return
            }
            let (next, overflow) = bits.addingReportingOverflow(4099)
            if overflow { break }
            bits = next
        }
    }
    #endif

    func testNarrowingToBF16RoundsToNearestEven() {
        XCTAssertEqual(HalfFloat.bf16Bits(from: Float(bitPattern: 0x3F80_7FFF)), 0x3F80)
        XCTAssertEqual(HalfFloat.bf16Bits(from: Float(bitPattern: 0x3F80_8000)), 0x3F80)
        XCTAssertEqual(HalfFloat.bf16Bits(from: Float(bitPattern: 0x3F81_8000)), 0x3F82)
        XCTAssertEqual(HalfFloat.bf16Bits(from: Float(bitPattern: 0x7F7F_8000)), 0x7F80, "ties past the maximum overflow")
        XCTAssertEqual(HalfFloat.bf16Bits(from: -.infinity), 0xFF80)
        XCTAssertEqual(HalfFloat.bf16Bits(from: Float(bitPattern: 0x7F80_0001)), 0x7FC0, "NaN stays NaN")
        for bits in 0...UInt16.max where !HalfFloat.float(fromBF16: bits).isNaN {
            XCTAssertEqual(HalfFloat.bf16Bits(from: HalfFloat.float(fromBF16: bits)), bits)
        }
    }
}
