import Testing
@testable import LLMEngine
@testable import LLMRuntime

@Suite struct RandomGeneratorTests {
    @Test func splitMix64MatchesReferenceSequence() {
        var g = SplitMix64(state: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
        #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func xoshiroMatchesReferenceVector() {
        // Published xoshiro256** outputs for the state {1, 2, 3, 4}.
        var g = Xoshiro256StarStar(state0: 1, state1: 2, state2: 3, state3: 4)
        #expect([g.next(), g.next(), g.next(), g.next()] == [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240])
    }

    @Test func xoshiroSeededThroughSplitMix() {
        var g = Xoshiro256StarStar(seed: 0)
        #expect(g.next() == 0x99EC_5F36_CB75_F2B4)
        #expect(g.next() == 0xBF6E_1F78_4956_452A)
    }

    @Test func unitDoublesStayInHalfOpenInterval() {
        var g = Xoshiro256StarStar(seed: 99)
        var sum = 0.0
        for _ in 0..<10_000 {
            let u = g.nextUnitDouble()
            #expect(u >= 0 && u < 1)
            sum += u
        }
        #expect(abs(sum / 10_000 - 0.5) < 0.01)
    }
}
