import Foundation
import Testing
@testable import PredictorCore

/// The t distribution functions against closed forms (ν = 1, 2, ∞), printed tables and their own inverse.
@Suite struct StudentTTests {
    @Test func cdfMatchesClosedForms() {
        for t in [-7.5, -1.3, -0.2, 0.4, 1.0, 2.5, 30.0] {
            #expect(abs(StudentT.cdf(t, dof: 1) - (0.5 + atan(t) / .pi)) < 1e-13)
            #expect(abs(StudentT.cdf(t, dof: 2) - (0.5 + t / (2 * (2 + t * t).squareRoot()))) < 1e-13)
            #expect(abs(StudentT.cdf(t, dof: .infinity) - 0.5 * erfc(-t / 2.0.squareRoot())) < 1e-15)
        }
    }

    @Test func quantilesMatchTables() {
        let z95 = StudentT.normalQuantile(0.95), z975 = StudentT.normalQuantile(0.975), z995 = StudentT.normalQuantile(0.995)
        #expect(abs(z95 - 1.6448536269514722) < 1e-15)
        #expect(abs(z975 - 1.959963984540054) < 1e-15)
        let table: [(p: Double, z: Double, nu: Double, t: Double)] = [
            (0.95, z95, 1, 6.313751514675043), (0.95, z95, 2, 2.919985580353725), (0.95, z95, 5, 2.015048372669157),
            (0.95, z95, 10, 1.812461122811676), (0.975, z975, 30, 2.042272456301238), (0.995, z995, 3, 5.840909309733350),
        ]
        for row in table {
            let t = StudentT.quantile(probability: row.p, normalQuantile: row.z, dof: row.nu)
            #expect(abs(t - row.t) < 1e-9 * row.t, "ν=\(row.nu) p=\(row.p): \(t) vs \(row.t)")
        }
    }

    /// Both quantile paths (Newton below ν = 40, Cornish–Fisher above) invert the incomplete-beta CDF.
    @Test(arguments: [1.5, 3.7, 10, 39.9, 40, 41.3, 100, 1000, 1e6])
    func quantileInvertsTheCDF(nu: Double) {
        for p in [0.55, 0.75, 0.95, 0.975, 0.995] {
            let t = StudentT.quantile(probability: p, normalQuantile: StudentT.normalQuantile(p), dof: nu)
            #expect(abs(StudentT.cdf(t, dof: nu) - p) < 2e-9, "ν=\(nu) p=\(p)")
        }
    }

    @Test func logDensityIntegratesToOneAndMatchesTheCauchy() {
        #expect(abs(StudentT.logDensity(0.7, mean: 0.2, scale: 2, dof: 1) - log(1 / (.pi * 2 * (1 + 0.0625)))) < 1e-14)
        for nu in [2.5, 7.0, .infinity] {
            var sum = 0.0
            let h = 0.001
            var x = -200.0
            while x < 200 { sum += exp(StudentT.logDensity(x, mean: 1, scale: 0.5, dof: nu)) * h; x += h }
            #expect(abs(sum - 1) < 1e-3, "ν=\(nu): ∫ = \(sum)")
        }
    }
}
