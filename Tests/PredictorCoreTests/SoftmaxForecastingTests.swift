import RealModule
import Testing
@testable import PredictorCore

/// The forecasting form of `softmax` (standardisation, kernels, differencing, predictive variance) against the
/// direct formula over the whole series (``SoftmaxForecastReference``), closed forms and a Monte Carlo calibration.
@Suite struct SoftmaxForecastingTests {
    /// A trending seasonal series (period 4) with noise, so that both differences matter.
    static func series(_ n: Int, seed: UInt64) -> [Double] {
        var rng = SoftmaxTestRNG(seed: seed)
        let pattern: [Double] = [0, 1, 0, -1]
        var out: [Double] = []
        for t in 0..<n {
            let trend: Double = 10 + 0.3 * Double(t)
            out.append(trend + 2 * pattern[t % 4] + Double.random(in: -1...1, using: &rng))
        }
        return out
    }

    static func close(_ a: Double, _ b: Double, _ tol: Double = 1e-10) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        return abs(a - b) <= tol * max(1, abs(b))
    }

    @Test(arguments: [(true, SoftmaxKernel.distance), (true, .dot), (false, .distance)], [(0, 0), (1, 0), (1, 1)])
    func seriesMatchesDirectFormulaAtEveryStep(form: (standardize: Bool, kernel: SoftmaxKernel), differencing: (d: Int, sd: Int)) throws {
        for window in [1, 5, 64] {
            let options = try SoftmaxOptions(standardize: form.standardize, kernel: form.kernel, difference: differencing.d,
                                             seasonalDifference: differencing.sd, season: 4, variancePrior: 2, varianceFloor: 0.01)
            let beta = form.standardize ? 0.8 : 0.05
            let params = try SoftmaxParameters(layout: .autoregressive(lags: 3, bias: true), beta: beta, window: window, options: options)
            var model = SoftmaxPredictor(parameters: params)
            var reference = SoftmaxForecastReference(
                beta: beta, window: window, lags: 3, bias: true, standardize: form.standardize, distance: form.kernel == .distance,
                difference: differencing.d, seasonalDifference: differencing.sd, season: 4, variancePrior: 2, varianceFloor: 0.01)
            var prediction = Prediction(), current = Prediction()
            for (step, y) in Self.series(2 * window + 50, seed: UInt64(window)).enumerated() {
                let before = reference.forecast()
                try model.observe(.series([y]), into: &prediction)
                reference.ys.append(y)
                let after = reference.forecast()
                let label = "W=\(window) \(form) \(differencing) step \(step)"
                #expect(Self.close(prediction.error[0], y - before.mean), "\(label) error")
                #expect(Self.close(prediction.mean[0], after.mean), "\(label) mean \(prediction.mean[0]) vs \(after.mean)")
                #expect(Self.close(prediction.variance[0], after.variance), "\(label) variance \(prediction.variance[0]) vs \(after.variance)")
                #expect(prediction.dof == .infinity && prediction.count == step + 1)
                model.currentPrediction(into: &current)
                #expect(current.mean[0].bitPattern == prediction.mean[0].bitPattern
                    && current.variance[0].bitPattern == prediction.variance[0].bitPattern, "\(label) current")
            }
            #expect(model.state.fill == window)
        }
    }

    @Test func labelledStandardisedDistanceMatchesDirectFormula() throws {
        // Explicit x: the reference's "lags" are the two features, given directly.
        let options = try SoftmaxOptions(standardize: true, kernel: .distance)
        let params = try SoftmaxParameters(layout: .explicit(dimension: 2), beta: 1.5, window: 7, options: options)
        var model = SoftmaxPredictor(parameters: params)
        var rng = SoftmaxTestRNG(seed: 5)
        var pairs: [(x: [Double], y: Double)] = []
        var prediction = Prediction()
        func direct(_ x: [Double]) -> (mean: Double, variance: Double) {
            guard !pairs.isEmpty else { return (0, .nan) }
            let mean = (0..<2).map { j in pairs.map { $0.x[j] }.reduce(0, +) / Double(pairs.count) }
            let scale = (0..<2).map { j -> Double in
                guard pairs.count >= 2 else { return 1 }
                let v = pairs.map { ($0.x[j] - mean[j]) * ($0.x[j] - mean[j]) }.reduce(0, +) / Double(pairs.count - 1)
                return v > 0 ? 1 / v.squareRoot() : 1
            }
            let ys = pairs.map(\.y)
            let ym: Double = ys.reduce(0, +) / Double(ys.count)
            var ss = 0.0
            for v in ys { ss += (v - ym) * (v - ym) }
            let s0: Double = ys.count >= 2 ? ss / Double(ys.count - 1) : .nan
            let recent = Array(pairs.suffix(7))
            var logits: [Double] = []
            for p in recent {
                let d0 = (p.x[0] - x[0]) * scale[0], d1 = (p.x[1] - x[1]) * scale[1]
                logits.append(-0.75 * (d0 * d0 + d1 * d1))
            }
            let top = logits.max()!  // softmax is shift-invariant; unscaled first steps would underflow otherwise
            let w = logits.map { Double.exp($0 - top) }
            var total = 0.0, squares = 0.0, sum = 0.0
            for i in w.indices { total += w[i]; squares += w[i] * w[i]; sum += w[i] * recent[i].y }
            let ess = total * total / squares, m = sum / total
            var s2 = 0.0
            for i in w.indices { s2 += w[i] * (recent[i].y - m) * (recent[i].y - m) }
            s2 /= total
            let shrunk: Double = (ess * s2 + 2 * s0) / (ess + 2)
            return (m, s0.isNaN ? .nan : max(shrunk * (1 + 1 / ess), 0.01 * s0))
        }
        for step in 0..<40 {
            let x = [Double.random(in: -100...100, using: &rng), Double.random(in: 0...0.01, using: &rng)]
            let y = Double.sin(x[0] / 30) + 100 * x[1]
            let before = direct(x)
            try model.observe(.labelled(x: x, y: [y]), into: &prediction)
            pairs.append((x, y))
            let after = direct(x)
            #expect(Self.close(prediction.error[0], y - before.mean), "step \(step) error")
            #expect(Self.close(prediction.mean[0], after.mean) && Self.close(prediction.variance[0], after.variance), "step \(step)")
            let z = [Double.random(in: -100...100, using: &rng), 0.005]
            var queried = Prediction()
            try model.predict(query: z, into: &queried)
            #expect(Self.close(queried.mean[0], direct(z).mean) && Self.close(queried.variance[0], direct(z).variance), "query \(step)")
        }
    }

    /// The failure of the plain form on unscaled data: exp(β kᵀx) puts all weight on one key. The predictive variance
    /// then has n_eff = 1 and spread 0, i.e. the closed form 2ν₀/(1 + ν₀)·σ₀², never 0.
    @Test func collapsedWeightsKeepAFiniteDensity() throws {
        let options = try SoftmaxOptions(kernel: .distance, variancePrior: 2, varianceFloor: 0.01)
        let params = try SoftmaxParameters(layout: .autoregressive(lags: 1, bias: false), beta: 1e6, window: 50, options: options)
        var model = SoftmaxPredictor(parameters: params)
        var prediction = Prediction()
        var values: [Double] = []
        for (t, y) in Self.series(200, seed: 9).map({ 1000 * $0 }).enumerated() {
            try model.observe(.series([y]), into: &prediction)
            if t >= 1 { values.append(y) }  // the values of the pairs stored so far
            guard values.count >= 2 else { continue }
            let m = values.reduce(0, +) / Double(values.count)
            let s0 = values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)
            #expect(prediction.variance[0] > 0 && prediction.variance[0].isFinite)
            #expect(Self.close(prediction.variance[0], 4.0 / 3.0 * s0, 1e-9), "t \(t): \(prediction.variance[0]) vs \(4.0 / 3.0 * s0)")
        }
    }

    /// Monte Carlo: on i.i.d. N(0, 1) values the 90 % interval mean ± 1.645·√var covers about 90 % (binomial
    /// standard error 0.004 over 5800 steps).
    @Test func intervalIsCalibratedOnIIDNoise() throws {
        let options = try SoftmaxOptions(standardize: true, kernel: .distance)
        let params = try SoftmaxParameters(layout: .autoregressive(lags: 2, bias: false), beta: 2, window: 64, options: options)
        var model = SoftmaxPredictor(parameters: params)
        var rng = SoftmaxTestRNG(seed: 77)
        var prediction = Prediction()
        var mean = 0.0, variance = Double.nan, covered = 0, scored = 0
        for t in 0..<6000 {
            // Box–Muller.
            let u1 = Double.random(in: Double.ulpOfOne...1, using: &rng), u2 = Double.random(in: 0...1, using: &rng)
            let y = (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * .pi * u2)
            if t >= 200, variance.isFinite {
                scored += 1
                if abs(y - mean) <= 1.6448536269514722 * variance.squareRoot() { covered += 1 }
            }
            try model.observe(.series([y]), into: &prediction)
            mean = prediction.mean[0]
            variance = prediction.variance[0]
        }
        let coverage = Double(covered) / Double(scored)
        #expect(coverage > 0.87 && coverage < 0.93, "coverage \(coverage) over \(scored) steps")
    }

    /// The β gradient of the forecasting form against a central finite difference of ½(y − ŷ(β))² in log β.
    @Test(arguments: [SoftmaxKernel.distance, .dot])
    func betaGradientMatchesFiniteDifference(kernel: SoftmaxKernel) throws {
        let options = try SoftmaxOptions(standardize: true, kernel: kernel, difference: 1)
        let params = try SoftmaxParameters(layout: .autoregressive(lags: 3, bias: false), beta: 0.7, window: 32, options: options)
        var model = SoftmaxPredictor(parameters: params)
        var prediction = Prediction(), current = Prediction()
        let ys = Self.series(80, seed: 13)
        var checked = 0
        for (t, y) in ys.enumerated() {
            defer { _ = try? model.observe(.series([y]), into: &prediction) }
            guard t >= 10 else { continue }
            var x = [Double](repeating: 0, count: 3)
            model.state.history!.features(into: &x, bias: false)
            guard let g = model.forecastGradient(query: x, target: [y]) else { Issue.record("no gradient at t \(t)"); continue }
            func loss(_ logBeta: Double) -> Double {
                var probe = model
                _ = probe.adopt(beta: Double.exp(logBeta))
                probe.currentPrediction(into: &current)
                return 0.5 * (y - current.mean[0]) * (y - current.mean[0])
            }
            let h = 1e-5, l0 = Double.log(0.7)
            let numeric = (loss(l0 + h) - loss(l0 - h)) / (2 * h)
            #expect(abs(g - numeric) <= 1e-6 * max(1, abs(numeric)), "t \(t): \(g) vs \(numeric)")
            checked += 1
        }
        #expect(checked == 70)
    }

    @Test func stateRoundTripsAndContinuesBitwise() throws {
        let options = try SoftmaxOptions(standardize: true, kernel: .dot, difference: 1, seasonalDifference: 1, season: 4)
        let params = try SoftmaxParameters(layout: .autoregressive(lags: 2, bias: true), beta: 0.5, window: 8, options: options)
        var model = SoftmaxPredictor(parameters: params)
        let ys = Self.series(60, seed: 3)
        var a = Prediction(), b = Prediction()
        for y in ys[..<30] { try model.observe(.series([y]), into: &a) }
        var writer = ByteWriter()
        model.state.encode(to: &writer)
        var reader = ByteReader(writer.bytes)
        var restored = try SoftmaxPredictor(parameters: params, state: try SoftmaxState(from: &reader))
        #expect(reader.isAtEnd && restored.state == model.state)
        for y in ys[30...] {
            try model.observe(.series([y]), into: &a)
            try restored.observe(.series([y]), into: &b)
            #expect(a.isBitwiseEqual(to: b))
        }
        // The parameters with options round-trip; a state without the differencing memory is refused.
        var pw = ByteWriter()
        params.encode(to: &pw)
        var pr = ByteReader(pw.bytes)
        #expect(try SoftmaxParameters(from: &pr) == params && pr.isAtEnd)
        let plain = try SoftmaxParameters(layout: .autoregressive(lags: 2, bias: true), beta: 0.5, window: 8)
        #expect(throws: StateDecodingError.self) { try SoftmaxPredictor(parameters: params, state: SoftmaxState(parameters: plain)) }
    }

    /// Plain parameters encode exactly as before the options existed, so older checkpoints still match bitwise.
    @Test func plainParametersKeepTheirOldEncoding() throws {
        let params = try SoftmaxParameters(layout: .explicit(dimension: 2), outputs: 1, beta: 0.3, window: 9, priorMean: [0.5])
        var writer = ByteWriter()
        params.encode(to: &writer)
        var old = ByteWriter()
        FeatureLayout.explicit(dimension: 2).encode(to: &old)
        old.write(1); old.write(0.3); old.write(9); old.write([0.5])
        #expect(writer.bytes == old.bytes)
    }

    /// A version-1 state (written before the running moments existed) is read; its moments are rebuilt from the
    /// window oldest first, which is exact for a window that never wrapped.
    @Test func versionOneStateIsReadWithMomentsFromTheWindow() throws {
        let params = try SoftmaxParameters(layout: .autoregressive(lags: 1, bias: false), beta: 1, window: 16)
        var model = SoftmaxPredictor(parameters: params)
        var prediction = Prediction()
        for y in Self.series(10, seed: 4) { try model.observe(.series([y]), into: &prediction) }
        let s = model.state
        var v1 = ByteWriter()
        v1.write(UInt8(1))
        v1.write(s.featureCount); v1.write(s.outputs); v1.write(s.window)
        v1.write(s.head); v1.write(s.fill); v1.write(s.count)
        v1.write(s.keys); v1.write(s.values)
        v1.write(true); s.history!.encode(to: &v1)
        var reader = ByteReader(v1.bytes)
        let decoded = try SoftmaxState(from: &reader)
        #expect(reader.isAtEnd && decoded == s)
        var bad = v1.bytes
        bad[0] = 9
        var badReader = ByteReader(bad)
        #expect(throws: StateDecodingError.self) { try SoftmaxState(from: &badReader) }
    }

    @Test func optionsNameTheKeyThatIsWrong() {
        func key(_ make: () throws -> Void) -> String? {
            do { try make(); return nil } catch { return (error as? ParameterError)?.parameter }
        }
        #expect(key { _ = try SoftmaxOptions(varianceFloor: 0) } == "variance_floor")
        #expect(key { _ = try SoftmaxOptions(variancePrior: -1) } == "variance_prior")
        #expect(key { _ = try SoftmaxOptions(seasonalDifference: 1, season: 1) } == "season")
        #expect(key { _ = try SoftmaxOptions(difference: 3) } == "difference")
        #expect(key {
            _ = try SoftmaxParameters(layout: .explicit(dimension: 1), beta: 1, window: 4, options: try SoftmaxOptions(difference: 1))
        } == "difference")
    }
}
