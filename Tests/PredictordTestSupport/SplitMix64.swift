/// SplitMix64 (Steele, Lea, Flood 2014): the one small seeded generator of the tests and the benchmarks (public for
/// the separate package Tests/Benchmarks), so every
/// randomized test and bench input is the same on every run. The named generators of the test targets wrap it
/// and add their own draws (uniforms, normals, distributions); the sequence of `next()` is the one they always had.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) from the top 53 bits (exactly `Double(next() >> 11) / 2⁵³`).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
}
