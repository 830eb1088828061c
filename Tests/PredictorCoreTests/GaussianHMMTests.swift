import Foundation
import RealModule
import Testing
@testable import PredictorCore

/// Gaussian-emission HMMs: the forward filter against hmmlearn's GaussianHMM (run in the test, installed by
/// .ci/setup) and a log-space recursion, the dual filter against the forward filter.
@Suite struct GaussianHMMTests {
    /// A sticky d-state HMM with means spread over [−3, 3] and unequal variances.
    static func model(states d: Int, seed: UInt64) throws -> GaussianHMMParameters {
        var rng = SoftmaxTestRNG(seed: seed)
        var a: [Double] = []
        for x in 0..<d {
            var row = (0..<d).map { y in (x == y ? 8.0 : 0) + Double.random(in: 0.05...1, using: &rng) }
            let s = row.reduce(0, +)
            row = row.map { $0 / s }
            a += row
        }
        let means = (0..<d).map { x in d == 1 ? 0 : -3 + 6 * Double(x) / Double(d - 1) }
        let variances = (0..<d).map { _ in Double.random(in: 0.3...2, using: &rng) }
        var mu = (0..<d).map { _ in Double.random(in: 0.1...1, using: &rng) }
        let s = mu.reduce(0, +)
        mu = mu.map { $0 / s }
        return try GaussianHMMParameters(transition: a, initial: mu, means: means, variances: variances)
    }

    /// Values sampled from the model, with outliers whose densities underflow in linear space (y = ±60).
    static func sample(_ h: GaussianHMMParameters, count: Int, seed: UInt64) -> [Double] {
        var rng = SoftmaxTestRNG(seed: seed)
        var x = 0
        var out: [Double] = []
        for t in 0..<count {
            var u = Double.random(in: 0..<1, using: &rng), next = h.states - 1
            for y in 0..<h.states { u -= h.transition[x * h.states + y]; if u < 0 { next = y; break } }
            x = next
            let u1 = Double.random(in: Double.ulpOfOne...1, using: &rng), u2 = Double.random(in: 0...1, using: &rng)
            let z = (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * .pi * u2)
            out.append(t == 40 ? 60 : t == 90 ? -60 : h.means[x] + h.variances[x].squareRoot() * z)
        }
        return out
    }

    static func relative(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(1, abs(b)) }

    /// log p(y₀…yₜ) for every t by the forward recursion in log space (log-sum-exp), no scaling tricks.
    static func logSpaceLikelihoods(_ h: GaussianHMMParameters, _ ys: [Double]) -> [Double] {
        let d = h.states
        var logAlpha = h.initial.map { Double.log($0) }  // log P(X_t = x, y_<t)
        var out: [Double] = []
        func lse(_ v: [Double]) -> Double { let m = v.max()!; return m + Double.log(v.map { Double.exp($0 - m) }.reduce(0, +)) }
        for y in ys {
            let joint = (0..<d).map { x in
                logAlpha[x] - 0.5 * Double.log(2 * .pi * h.variances[x]) - (y - h.means[x]) * (y - h.means[x]) / (2 * h.variances[x])
            }
            out.append(lse(joint))
            logAlpha = (0..<d).map { y in lse((0..<d).map { x in joint[x] + Double.log(h.transition[x * d + y]) }) }
        }
        return out
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("python/gaussian_hmm_reference.py")

    /// hmmlearn's answers for `values` under `h` (throws, saying how to install it, when python3 or hmmlearn fails).
    static func hmmlearn(_ h: GaussianHMMParameters, _ values: [Double], levels: [Double]) throws -> [String: Any] {
        try hmmlearnRequest(["transition": h.transition, "initial": h.initial, "means": h.means,
                             "variances": h.variances, "y": values, "levels": levels])
    }

    /// Runs the reference script on one JSON request.
    static func hmmlearnRequest(_ request: [String: Any]) throws -> [String: Any] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("predictord-ghmm-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.json"), output = dir.appendingPathComponent("out.json")
        try JSONSerialization.data(withJSONObject: request).write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, input.path, output.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ReferenceError(description: "the hmmlearn reference failed (python3 with hmmlearn is installed by `bash .ci/setup`): \(message)")
        }
        return try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as! [String: Any]
    }

    struct ReferenceError: Error, CustomStringConvertible { var description: String }

    @Test(arguments: [2, 4])
    func forwardMatchesHmmlearn(states d: Int) throws {
        let h = try Self.model(states: d, seed: UInt64(d))
        let ys = Self.sample(h, count: 150, seed: 11)
        let levels = try IntervalLevels([0.5, 0.9])
        let reference = try Self.hmmlearn(h, ys, levels: levels.levels)
        let prefix = reference["prefix_loglik"] as! [Double], means = reference["mean"] as! [Double]
        let variances = reference["var"] as! [Double]
        let lo = reference["lo"] as! [[Double]], hi = reference["hi"] as! [[Double]]
        let logSpace = Self.logSpaceLikelihoods(h, ys)
        var filter = GaussianForwardFilter(parameters: h)
        var prediction = Prediction()
        var previousMean = h.means.indices.map { h.initial[$0] * h.means[$0] }.reduce(0, +)
        for (t, y) in ys.enumerated() {
            try filter.observe(.series([y]), into: &prediction)
            let surprise = -(prefix[t] - (t > 0 ? prefix[t - 1] : 0))
            #expect(Self.relative(filter.logLikelihood, prefix[t]) <= 1e-12, "t \(t) log-likelihood \(filter.logLikelihood) vs \(prefix[t])")
            #expect(Self.relative(filter.logLikelihood, logSpace[t]) <= 1e-12, "t \(t) vs log space")
            #expect(abs(prediction.surprise - surprise) <= 1e-12 * max(1, abs(prefix[t])), "t \(t) surprise")
            #expect(Self.relative(prediction.mean[0], means[t]) <= 1e-12, "t \(t) mean \(prediction.mean[0]) vs \(means[t])")
            #expect(Self.relative(prediction.variance[0], variances[t]) <= 1e-12, "t \(t) variance")
            #expect(Self.relative(prediction.error[0], y - previousMean) <= 1e-12, "t \(t) error")
            previousMean = prediction.mean[0]
            filter.fillIntervals(&prediction, levels: levels)
            for l in 0..<levels.levels.count {
                #expect(Self.relative(prediction.interval[2 * l], lo[l][t]) <= 1e-11, "t \(t) level \(l) lower \(prediction.interval[2 * l]) vs \(lo[l][t])")
                #expect(Self.relative(prediction.interval[2 * l + 1], hi[l][t]) <= 1e-11, "t \(t) level \(l) upper")
            }
        }
        #expect(Self.relative(filter.logLikelihood, reference["loglik"] as! Double) <= 1e-12)
    }

    @Test(arguments: [2, 4], [1, 8, 64])
    func dualMatchesForward(states d: Int, window: Int) throws {
        let h = try Self.model(states: d, seed: UInt64(10 + d))
        let ys = Self.sample(h, count: 200, seed: UInt64(window))
        var forward = GaussianForwardFilter(parameters: h)
        var dual = GaussianDualFilter(parameters: try GaussianDualFilterParameters(hmm: h, window: window))
        var pf = Prediction(), pd = Prediction()
        var worst = 0.0
        for y in ys {
            try forward.observe(.series([y]), into: &pf)
            try dual.observe(.series([y]), into: &pd)
            for x in 0..<d { worst = max(worst, abs(dual.measure[x] - forward.state.predictive[x])) }
            #expect(Self.relative(pd.mean[0], pf.mean[0]) <= 1e-12 && Self.relative(pd.variance[0], pf.variance[0]) <= 1e-12)
            #expect(abs(pd.surprise - pf.surprise) <= 1e-12 * max(1, abs(pf.surprise)))
        }
        #expect(worst <= 1e-12, "max |ρ − π| = \(worst)")
        #expect(Self.relative(dual.logLikelihood, forward.logLikelihood) <= 1e-12)
        // Checkpoint round trip continues bitwise.
        var writer = ByteWriter()
        dual.state.encode(to: &writer)
        var reader = ByteReader(writer.bytes)
        var restored = try GaussianDualFilter(parameters: dual.parameters, state: try GaussianDualFilterState(from: &reader))
        var pr = Prediction()
        try dual.observe(.series([0.5]), into: &pd)
        try restored.observe(.series([0.5]), into: &pr)
        #expect(pd.isBitwiseEqual(to: pr))
    }

    @Test func badInputLeavesTheStateUnchanged() throws {
        let h = try Self.model(states: 2, seed: 1)
        var filter = GaussianForwardFilter(parameters: h)
        var dual = GaussianDualFilter(parameters: try GaussianDualFilterParameters(hmm: h, window: 4))
        var p = Prediction()
        try filter.observe(.series([0.3]), into: &p)
        try dual.observe(.series([0.3]), into: &p)
        let (fs, ds) = (filter.state, dual.state)
        #expect(throws: ObservationError.nonFinite(field: "y")) { try filter.observe(.series([.nan]), into: &p) }
        #expect(throws: ObservationError.wrongDimension(field: "y", expected: 1, got: 2)) { try dual.observe(.series([1, 2]), into: &p) }
        #expect(throws: ObservationError.wrongKind(model: "forward", expected: "series", got: "symbol")) { try filter.observe(.symbol(1), into: &p) }
        // y = 1e200: (y − m)² overflows, no density is representable: refused with its own reason, state unchanged.
        #expect(throws: ObservationError.impossibleValue(1e200)) { try filter.observe(.series([1e200]), into: &p) }
        #expect(throws: ObservationError.impossibleValue(1e200)) { try dual.observe(.series([1e200]), into: &p) }
        #expect(filter.state == fs && dual.state == ds)
        // y = 1e150: every density underflows in linear space, but the scaled largest is 1: a finite surprise.
        try filter.observe(.series([1e150]), into: &p)
        #expect(p.surprise.isFinite && p.surprise > 1e290)
    }

    @Test func parametersNameTheKeyThatIsWrong() {
        func key(_ make: () throws -> Void) -> String? {
            do { try make(); return nil } catch { return (error as? ParameterError)?.parameter }
        }
        #expect(key { _ = try GaussianHMMParameters(transition: [1], initial: [1], means: [0], variances: [0]) } == "variances")
        #expect(key { _ = try GaussianHMMParameters(transition: [1], initial: [1], means: [0, 1], variances: [1, 1]) } == "transition")
        #expect(key { _ = try GaussianHMMParameters(transition: [0.5, 0.6, 0.5, 0.5], initial: [0.5, 0.5], means: [0, 1], variances: [1, 1]) } == "transition[0]")
        #expect(key { _ = try GaussianHMMParameters(transition: [1], initial: [1], means: [.nan], variances: [1]) } == "means")
    }
}
