import LLMRuntime
import Testing
@testable import SwiftLLM

/// The self-test's host e4m3 conversion, which sets what the GPU's e4m3 KV cache stores
/// are checked against: round to nearest even, saturation at +-448, exact decoding.
@Suite("e4m3 conversion")
struct E4M3ConversionTests {
    /// Every finite pattern, by value: 0x00...0x7E and their negatives (0x7F is NaN).
    static let finite: [UInt8] = Array(0x00...0x7E)

    @Test("Known encodings, and every finite pattern decodes and encodes back to itself")
    func roundTrip() {
        #expect(ElementConversion.float(e4m3: 0x38) == 1)
        #expect(ElementConversion.float(e4m3: 0x7E) == 448)
        #expect(ElementConversion.float(e4m3: 0x01) == 0x1p-9)
        #expect(ElementConversion.float(e4m3: 0x08) == 0x1p-6)
        #expect(ElementConversion.float(e4m3: 0xB8) == -1)
        #expect(ElementConversion.float(e4m3: 0x7F).isNaN && ElementConversion.float(e4m3: 0xFF).isNaN)
        for bits in Self.finite + Self.finite.map({ $0 | 0x80 }) {
            #expect(ElementConversion.e4m3Bits(ElementConversion.float(e4m3: bits)) == bits, "pattern \(bits)")
        }
    }

    @Test("Values between two neighbours go to the nearer; halfway goes to the even pattern")
    func rounding() {
        for bits in Self.finite.dropLast() {
            let low = ElementConversion.float(e4m3: bits), high = ElementConversion.float(e4m3: bits + 1)
            let mid = (low + high) / 2
            #expect(ElementConversion.e4m3Bits(mid) == (bits & 1 == 0 ? bits : bits + 1), "halfway above pattern \(bits)")
            #expect(ElementConversion.e4m3Bits(mid.nextDown) == bits)
            #expect(ElementConversion.e4m3Bits(mid.nextUp) == bits + 1)
            #expect(ElementConversion.e4m3Bits(-mid.nextUp) == (bits + 1) | 0x80)
        }
    }

    @Test("Beyond 448 stores saturate instead of becoming NaN; NaN stays NaN")
    func saturation() {
        for value: Float in [448, 464, 479.9, 480, 1e6, .infinity] {
            #expect(ElementConversion.e4m3Bits(value) == 0x7E)
            #expect(ElementConversion.e4m3Bits(-value) == 0xFE)
        }
        #expect(ElementConversion.e4m3Bits(.nan) == 0x7F)
        #expect(ElementConversion.rounded(1000, to: .f8_e4m3) == 448)
        #expect(ElementConversion.bytes([1, -0.5], as: .f8_e4m3) == [0x38, 0xB0])
    }
}
