import Testing
@testable import PredictorCore

@Suite struct ByteCodingTests {
    @Test func doublesRoundTripBitForBit() throws {
        let values: [Double] = [0, -0.0, .pi, .nan, -.infinity, .leastNonzeroMagnitude, 1e308, -1.5e-300]
        var w = ByteWriter()
        w.write(values)
        w.write(-42)
        w.write("ctx/é")
        var r = ByteReader(w.bytes)
        let back = try r.readDoubles()
        #expect(back.map(\.bitPattern) == values.map(\.bitPattern))
        #expect(try r.readInt() == -42)
        #expect(try r.readString() == "ctx/é")
        #expect(r.isAtEnd)
    }

    @Test func corruptLengthIsRejectedWithoutAllocating() {
        var w = ByteWriter()
        w.write(Int.max / 2)
        var r = ByteReader(w.bytes)
        #expect(throws: StateDecodingError.self) { try r.readDoubles() }
        var t = ByteReader([1, 2, 3])
        #expect(throws: StateDecodingError.self) { try t.readDouble() }
    }
}
