import PredictordTelemetry
import PredictordTestSupport
import Testing

/// The largest-errors list against brute force: per stream the largest |z| of the current and previous periods,
/// the `capacity` largest streams, largest first.
@Suite struct LargestErrorsTests {
    @Test func matchesBruteForceOverTwoPeriods() {
        var rng = SplitMix64(seed: 5)
        var list = LargestErrors(capacity: 10)
        var previous: [String: Double] = [:], current: [String: Double] = [:]
        for period in 0..<4 {
            for _ in 0..<5000 {
                let stream = "s/\(rng.next() % 200)"
                let z = (rng.unit() - 0.5) * 8 * (rng.next() % 50 == 0 ? 10 : 1)
                list.offer(stream: stream, model: "m", z: z)
                if abs(z) > abs(current[stream] ?? 0) { current[stream] = z }
            }
            // Brute force is the top 10 of (previous ∪ current), but `current` keeps only its own top 10.
            let keptCurrent = current.sorted { abs($0.value) > abs($1.value) }.prefix(10)
            var merged: [String: Double] = previous
            for (s, z) in keptCurrent where abs(z) > abs(merged[s] ?? 0) { merged[s] = z }
            let expected = merged.sorted { abs($0.value) > abs($1.value) }.prefix(10).map(\.key)
            #expect(list.largest.map(\.stream) == expected, "period \(period)")
            #expect(zip(list.largest, list.largest.dropFirst()).allSatisfy { abs($0.standardizedError) >= abs($1.standardizedError) })
            list.rotate()
            previous = Dictionary(uniqueKeysWithValues: keptCurrent.map { ($0.key, $0.value) })
            current = [:]
        }
        #expect(!list.admits(.nan) && !list.admits(.infinity))
    }
}
