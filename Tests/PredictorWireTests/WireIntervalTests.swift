import Foundation
import PredictorCore
import Testing
@testable import PredictorWire

/// Predictive intervals on the wire: the JSON `interval` object and the binary interval block (flag bit 2).
@Suite struct WireIntervalTests {
    static func prediction(q: Int) throws -> Prediction {
        var p = Prediction(kind: .real, count: 7, mean: (0..<q).map { Double($0) + 0.5 }, variance: [Double](repeating: 2, count: q),
                           error: [Double](repeating: .nan, count: q), dof: 9)
        p.fillIntervals(try IntervalLevels([0.9, 0.5]))
        return p
    }

    @Test(arguments: [1, 3])
    func binaryRoundTripKeepsEveryBoundBitForBit(q: Int) throws {
        let p = try Self.prediction(q: q)
        let bytes = try WireEncoder.prediction(OutboundPrediction(stream: "s", model: "rls", seq: 3, prediction: p), encoding: .binary)
        #expect(bytes[6] & 4 == 4)
        #expect(bytes.count == 24 + 8 + 24 * q + 8 + 2 * 8 * (1 + 2 * q))
        let decoded = try bytes.withUnsafeBytes { try WireDecoder.binaryPrediction($0, stream: "s") }
        #expect(decoded.prediction.intervalLevels == [0.9, 0.5])
        #expect(decoded.prediction.interval.map(\.bitPattern) == p.interval.map(\.bitPattern))
        // The 90 % bounds are mean ± t₉⁻¹(0.95)·√(var·7/9).
        let half = 1.8331129326536335 * (2.0 * 7 / 9).squareRoot()
        #expect(abs(p.interval[0] - (0.5 - half)) < 1e-9)
        #expect(abs(p.interval[q] - (0.5 + half)) < 1e-9)
    }

    @Test func jsonCarriesTheIntervalObject() throws {
        let text = String(decoding: try WireEncoder.prediction(
            OutboundPrediction(stream: "s", model: "rls", prediction: try Self.prediction(q: 1)), encoding: .json), as: UTF8.self)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        let interval = object["interval"] as! [String: [Double]]
        #expect(Set(interval.keys) == ["0.9", "0.5"])
        #expect(interval["0.9"]![0] < interval["0.5"]![0] && interval["0.5"]![1] < interval["0.9"]![1])
    }

    @Test func observationsMayNotSetTheIntervalFlag() {
        var bytes = [UInt8](repeating: 0, count: 32)
        bytes[0] = 1; bytes[1] = 0; bytes[2] = 1; bytes[6] = 4
        #expect(throws: WireError.self) { _ = try WireDecoder.observation(bytes) }
    }
}
