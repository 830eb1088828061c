import Foundation
import Testing
@testable import PredictorCore

/// An `auto` bank with a horizon against its definition: each member run on its own, lead j's weights are the
/// normalised products of the members' own lead-j densities of each value (published j steps before it), and lead
/// j's published mean and variance the mixture of the members' horizons under them.
@Suite struct ForecastBankHorizonTests {
    static func members(horizon: Int, betas: Bool = false) throws -> [ForecastParameters] {
        [
            try ForecastParameters(lags: 1, bias: true, horizon: horizon, varianceDiscount: betas ? 0.95 : nil),
            try ForecastParameters(lags: 2, difference: 1, bias: true, horizon: horizon),
            try ForecastParameters(
                lags: 1, movingAverage: 1, seasonalDifference: 1, season: 4, bias: true, lambda: 0.99, horizon: horizon),
            try ForecastParameters(lags: 1, bias: true, horizon: horizon, varianceDiscount: betas ? 0.9 : nil),
        ]
    }

    /// The Student-t log density of v under a published mean, variance and ν (nil without a proper one).
    static func logT(_ v: Double, mean: Double, variance: Double, dof nu: Double) -> Double? {
        guard mean.isFinite, variance.isFinite, nu > 2 else { return nil }
        let scale = (variance * (nu - 2) / nu).squareRoot()
        let z = (v - mean) / scale
        return lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(nu * Double.pi) - log(scale) - (nu + 1) / 2 * log(1 + z * z / nu)
    }

    @Test(arguments: [1.0, 0.95], [false, true])
    func leadWeightsAreNormalisedProductsOfTheMembersOwnLeadDensities(alpha: Double, betas: Bool) throws {
        let h = 4
        let bank = try ForecastBankParameters(members: try Self.members(horizon: h, betas: betas), forgetting: alpha, leadWeights: true)
        var model = ForecastBank(parameters: bank)
        var solo = bank.members.map(SeriesForecaster.init(parameters:))
        let y = SeriesForecasterTests.seasonalSeries(140, seed: 31)
        // Everything published after y[t], by the members alone and by the bank.
        var members: [[Prediction]] = [], published: [Prediction] = []
        var logWeights = [[Double]](repeating: [Double](repeating: 0, count: solo.count), count: h - 1)
        var updates = 0, differ = 0
        for (t, v) in y.enumerated() {
            for j in 2...h where t - j >= 0 {
                let origin = t - j  // lead j of y[t] was published after y[t − j], as its horizon's entry j − 1
                func score(_ p: Prediction) -> Double? {
                    guard p.horizonMean.count == h else { return nil }
                    return Self.logT(v, mean: p.horizonMean[j - 1], variance: p.horizonVariance[j - 1], dof: p.dof)
                }
                let bankScore = score(published[origin])
                var any = false
                for i in solo.indices {
                    guard let s = score(members[origin][i]) ?? bankScore else { continue }
                    logWeights[j - 2][i] = alpha * logWeights[j - 2][i] + s
                    any = true
                }
                if any {
                    let top = logWeights[j - 2].max()!
                    logWeights[j - 2] = logWeights[j - 2].map { $0 - top }
                    if j == h { updates += 1 }
                }
            }
            var row: [Prediction] = []
            for i in solo.indices {
                var p = Prediction()
                try solo[i].observe(.series([v]), into: &p)
                row.append(p)
            }
            members.append(row)
            var out = Prediction()
            try model.observe(.series([v]), into: &out)
            published.append(out)
            if zip(model.weights, model.weights(lead: h)).contains(where: { abs($0 - $1) > 1e-3 }) { differ += 1 }
            #expect(out.horizonMean.count == h)
            if out.horizonMean[0].isFinite { #expect(out.horizonMean[0] == out.mean[0], "t=\(t) lead 1 is the one-step mean") }
            for j in 2...h {
                let top = logWeights[j - 2].max()!
                let raw = logWeights[j - 2].map { exp($0 - top) }
                let w = raw.map { $0 / raw.reduce(0, +) }
                let got = model.weights(lead: j)
                for i in w.indices { #expect(abs(got[i] - w[i]) < 1e-9, "t=\(t) lead \(j) member \(i)") }
                // Lead j's mixture over the members with a proper lead-j predictive.
                let kept = w.indices.map { i in
                    row[i].horizonMean.count == h && row[i].horizonMean[j - 1].isFinite
                        && row[i].horizonVariance[j - 1].isFinite && row[i].dof > 2 ? w[i] : 0
                }
                let total = kept.reduce(0, +)
                guard total > 0 else { continue }
                let used = kept.indices.filter { kept[$0] > 0 }
                let mean = used.reduce(0) { $0 + kept[$1] / total * row[$1].horizonMean[j - 1] }
                let second = used.reduce(0) {
                    let m = row[$1].horizonMean[j - 1]
                    return $0 + kept[$1] / total * (row[$1].horizonVariance[j - 1] + m * m)
                }
                #expect(abs(out.horizonMean[j - 1] - mean) < 1e-9 * max(1, abs(mean)), "t=\(t) lead \(j)")
                let variance = second - mean * mean
                #expect(abs(out.horizonVariance[j - 1] - variance) < 1e-7 * max(1, variance), "t=\(t) lead \(j)")
            }
        }
        #expect(updates > 100)
        // The leads' weights were not the one-step weights (else this test could not tell them apart).
        #expect(differ > 20)
    }

    /// Without `lead_weights` every lead mixes the members' horizons under the one-step weights, and the state
    /// carries no lead data (the checkpoint format of a bank without lead weights is unchanged).
    @Test func withoutLeadWeightsEveryLeadUsesTheOneStepWeights() throws {
        let h = 4
        let bank = try ForecastBankParameters(members: try Self.members(horizon: h), forgetting: 1)
        var model = ForecastBank(parameters: bank)
        var solo = bank.members.map(SeriesForecaster.init(parameters:))
        var checked = 0
        for v in SeriesForecasterTests.seasonalSeries(80, seed: 13) {
            var row: [Prediction] = []
            for i in solo.indices {
                var p = Prediction()
                try solo[i].observe(.series([v]), into: &p)
                row.append(p)
            }
            var out = Prediction()
            try model.observe(.series([v]), into: &out)
            #expect(model.state.leadLogWeights.isEmpty && model.weights(lead: h) == model.weights)
            let w = model.weights
            let kept = w.indices.map { row[$0].variance[0].isFinite && row[$0].dof > 2 ? w[$0] : 0 }
            let total = kept.reduce(0, +)
            guard total > 0, row.allSatisfy({ $0.horizonMean.count == h }) else { continue }
            for j in 1..<h {
                let used = kept.indices.filter { kept[$0] > 0 }
                let mean = used.reduce(0) { $0 + kept[$1] / total * row[$1].horizonMean[j] }
                #expect(abs(out.horizonMean[j] - mean) < 1e-9 * max(1, abs(mean)), "lead \(j + 1)")
            }
            checked += 1
        }
        #expect(checked > 60)
        var writer = ByteWriter()
        model.state.encode(to: &writer)
        #expect(writer.bytes.first == 1)
    }

    @Test func stateRoundTripsAndContinuesIdentically() throws {
        let bank = try ForecastBankParameters(members: try Self.members(horizon: 3), forgetting: 0.98, leadWeights: true)
        var model = ForecastBank(parameters: bank)
        let y = SeriesForecasterTests.seasonalSeries(90, seed: 9)
        var a = Prediction(), b = Prediction()
        for v in y[0..<45] { try model.observe(.series([v]), into: &a) }
        var writer = ByteWriter()
        model.state.encode(to: &writer)
        var reader = ByteReader(writer.bytes)
        var restored = try ForecastBank(parameters: bank, state: try ForecastBankState(from: &reader))
        #expect(restored.state == model.state)
        #expect(model.weights(lead: 3) != model.weights)
        for v in y[45...] {
            try model.observe(.series([v]), into: &a)
            try restored.observe(.series([v]), into: &b)
            #expect(a.isBitwiseEqual(to: b))
        }
    }

    /// A horizon bank's checkpoint without lead data (written before lead weights existed) restores with the
    /// members and one-step weights as they were and the leads started afresh; lead data of another horizon is refused.
    @Test func checkpointWithoutLeadDataStartsTheLeadsAfresh() throws {
        let bank = try ForecastBankParameters(members: try Self.members(horizon: 3), forgetting: 1, leadWeights: true)
        var model = ForecastBank(parameters: bank)
        var out = Prediction()
        for v in SeriesForecasterTests.seasonalSeries(40, seed: 2) { try model.observe(.series([v]), into: &out) }
        let full = model.state
        let old = ForecastBankState(members: full.members, logWeights: full.logWeights, count: full.count)
        var writer = ByteWriter()
        old.encode(to: &writer)
        #expect(writer.bytes.first == 1)
        var reader = ByteReader(writer.bytes)
        let restored = try ForecastBank(parameters: bank, state: try ForecastBankState(from: &reader))
        #expect(restored.state.members == full.members && restored.weights == model.weights)
        #expect(restored.weights(lead: 2).allSatisfy { abs($0 - 0.25) < 1e-15 })
        let other = try ForecastBankParameters(members: try Self.members(horizon: 4), forgetting: 1, leadWeights: true)
        #expect {
            _ = try ForecastBank(parameters: other, state: full)
        } throws: { error in "\(error)".contains("horizon 3") && "\(error)".contains("horizon is 4") }
    }

    @Test func aBankRefusesAHorizonBeyondItsBound() throws {
        let h = ForecastBankParameters.maximumHorizon + 1
        #expect {
            _ = try ForecastBankParameters(members: try Self.members(horizon: h), forgetting: 1, leadWeights: true)
        } throws: { error in "\(error)".contains("lead_weights") && "\(error)".contains("at most 48") }
        // Without lead weights a bank keeps no h² table, so the members' own bound applies.
        #expect(try ForecastBankParameters(members: try Self.members(horizon: h), forgetting: 1).members.count == 4)
    }
}
