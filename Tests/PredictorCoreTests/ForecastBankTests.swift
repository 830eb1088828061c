import Foundation
import Testing
@testable import PredictorCore

/// The `auto` bank against its definition: each member run on its own, its published predictive densities
/// multiplied (with forgetting α) and normalised, must give the bank's weights and its published mixture.
@Suite struct ForecastBankTests {
    static func members() throws -> [ForecastParameters] {
        [
            try ForecastParameters(lags: 1, bias: true),
            try ForecastParameters(lags: 2, difference: 1, bias: true),
            try ForecastParameters(lags: 1, movingAverage: 1, seasonalDifference: 1, season: 4, bias: true, lambda: 0.99),
        ]
    }

    /// Members in pairs that differ only in `variance_discount` (one with RML MA terms), which the bank runs on one
    /// shared regression each, and one member of its own.
    static func sharingMembers() throws -> [ForecastParameters] {
        [
            try ForecastParameters(lags: 1, bias: true, varianceDiscount: 0.98),
            try ForecastParameters(lags: 2, difference: 1, bias: true),
            try ForecastParameters(lags: 1, bias: true, varianceDiscount: 0.9),
            try ForecastParameters(lags: 1, movingAverage: 1, seasonalDifference: 1, season: 4, bias: true, varianceDiscount: 0.95),
            try ForecastParameters(lags: 1, movingAverage: 1, seasonalDifference: 1, season: 4, bias: true, varianceDiscount: 0.8),
        ]
    }

    @Test(arguments: [1.0, 0.95], [false, true])
    func weightsAreNormalisedProductsOfTheMembersOwnDensities(alpha: Double, sharing: Bool) throws {
        let bank = try ForecastBankParameters(members: sharing ? try Self.sharingMembers() : try Self.members(), forgetting: alpha)
        var model = ForecastBank(parameters: bank)
        var solo = bank.members.map(SeriesForecaster.init(parameters:))
        var published = [Prediction](repeating: Prediction(), count: solo.count)
        var logWeights = [Double](repeating: 0, count: solo.count)
        let y = SeriesForecasterTests.seasonalSeries(120, seed: 77)
        var out = Prediction(), previousMean = Double.nan
        var updates = 0
        for (t, v) in y.enumerated() {
            // The members' predictions published for yₜ, each scored by its own density, or by the bank's
            // published one while it has no proper predictive yet.
            func logT(_ p: Prediction) -> Double? {
                guard p.variance.count == 1, p.variance[0].isFinite, p.dof > 2 else { return nil }
                let nu = p.dof
                let scale = (p.variance[0] * (nu - 2) / nu).squareRoot()
                let z = (v - p.mean[0]) / scale
                let normaliser: Double = lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(nu * Double.pi)
                let kernel: Double = (nu + 1) / 2 * log(1 + z * z / nu)
                return normaliser - log(scale) - kernel
            }
            if t > 0 {
                let bankScore = logT(out)
                if bankScore != nil || published.contains(where: { logT($0) != nil }) {
                    for i in solo.indices {
                        guard let score = logT(published[i]) ?? bankScore else { continue }
                        logWeights[i] = alpha * logWeights[i] + score
                    }
                    let top = logWeights.max()!
                    logWeights = logWeights.map { $0 - top }
                    updates += 1
                }
            }
            for i in solo.indices { try solo[i].observe(.series([v]), into: &published[i]) }
            try model.observe(.series([v]), into: &out)
            // Each member's fast memory, shared regression or not, is the one it has when run alone, bit for bit.
            let states = model.state.members
            for i in solo.indices { #expect(states[i] == solo[i].state, "t=\(t) member \(i)") }
            if previousMean.isFinite { #expect(abs(out.error[0] - (v - previousMean)) <= 1e-12 * max(1, abs(v))) }
            previousMean = out.mean[0]
            let top = logWeights.max()!
            let raw = logWeights.map { exp($0 - top) }
            let w = raw.map { $0 / raw.reduce(0, +) }
            for i in w.indices { #expect(abs(model.weights[i] - w[i]) < 1e-9, "t=\(t) member \(i)") }
            // The mixture over the members that have a proper predictive.
            let proper = published.map { $0.variance[0].isFinite && $0.dof > 2 }
            let kept = w.indices.map { proper[$0] ? w[$0] : 0 }
            let total = kept.reduce(0, +)
            guard total > 0 else { continue }
            let mean = zip(kept, published).reduce(0) { $0 + $1.0 / total * $1.1.mean[0] }
            #expect(abs(out.mean[0] - mean) < 1e-9 * max(1, abs(mean)), "t=\(t)")
            #expect(kept[out.leader] >= kept.max()! - 1e-12)
        }
        #expect(updates > 80)
    }

    @Test(arguments: [false, true])
    func stateRoundTripsAndContinuesIdentically(sharing: Bool) throws {
        let bank = try ForecastBankParameters(members: sharing ? try Self.sharingMembers() : try Self.members(), forgetting: 0.98)
        var model = ForecastBank(parameters: bank)
        let y = SeriesForecasterTests.seasonalSeries(80, seed: 8)
        var a = Prediction(), b = Prediction()
        for v in y[0..<40] { try model.observe(.series([v]), into: &a) }
        var writer = ByteWriter()
        model.state.encode(to: &writer)
        var reader = ByteReader(writer.bytes)
        var restored = try ForecastBank(parameters: bank, state: try ForecastBankState(from: &reader))
        #expect(restored.state == model.state)
        for v in y[40...] {
            try model.observe(.series([v]), into: &a)
            try restored.observe(.series([v]), into: &b)
            #expect(a.isBitwiseEqual(to: b))
        }
    }

    /// A checkpoint in which two members that should share a regression hold different ones (not written by this
    /// bank) is refused with the members named, not silently split.
    @Test func restoreRefusesSharingMembersWhoseRegressionsDiffer() throws {
        let bank = try ForecastBankParameters(members: try Self.sharingMembers(), forgetting: 1)
        var model = ForecastBank(parameters: bank)
        var out = Prediction()
        for v in SeriesForecasterTests.seasonalSeries(30, seed: 5) { try model.observe(.series([v]), into: &out) }
        var state = model.state
        // Member 2 shares member 0's regression; perturb one of member 2's weights.
        let layout = state.members[2].regression.layout
        state.members[2].regression.storage[layout.weights] += 1e-9
        #expect {
            _ = try ForecastBank(parameters: bank, state: state)
        } throws: { error in
            "\(error)".contains("members 0 and 2") && "\(error)".contains("variance_discount")
        }
        state.members[2] = model.state.members[2]
        #expect(try ForecastBank(parameters: bank, state: state).state == model.state)
    }
}

extension ForecastBankTests {
    /// Prints the checkpointed size of one context of the bundled `forecast` bank's shape (docs/operations.md).
    @Test func contextSizeOfTheBundledBank() throws {
        var members: [ForecastParameters] = []
        for (s, sd, sq) in [(1, 0, 0), (12, 1, 0), (12, 1, 1)] {
            for d in [0, 1] { for p in [1, 2, 3] { for q in [0, 1] { for beta in [0.98, 0.95] {
                members.append(try ForecastParameters(
                    lags: p, movingAverage: q, seasonalMovingAverage: sq, difference: d, seasonalDifference: sd, season: s,
                    varianceDiscount: beta))
            } } } }
        }
        #expect(members.count == 72)
        var model = ForecastBank(parameters: try ForecastBankParameters(members: members, forgetting: 1))
        var out = Prediction()
        for v in SeriesForecasterTests.seasonalSeries(100, seed: 1) { try model.observe(.series([v]), into: &out) }
        var writer = ByteWriter()
        model.state.encode(to: &writer)
        print("auto bank of 72 members: \(writer.bytes.count) checkpoint bytes per context")
        #expect(writer.bytes.count > 10_000)
    }
}
