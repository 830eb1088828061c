import PredictorCore
import PredictorWire
import RealModule
import Testing
@testable import PredictorEngine

/// `learn: true` on softmax models: β tuned across streams by online gradient descent on the prequential squared
/// error; the gradient is checked against finite differences of the predictor's own predictions, and the learned β
/// against a grid search over fixed β run through the same engine.
@Suite struct EngineSoftmaxTuningTests {
    /// Keys on the unit circle, so exp(β kᵢᵀx) is a von Mises kernel of bandwidth ~1/√β: too small a β over-smooths,
    /// too large a β averages few noisy neighbours; y = (sin 3θ, cos θ) + noise.
    static func stream(_ rng: inout EngineLearningTests.Rng, count: Int) -> [(x: [Double], y: [Double])] {
        (0..<count).map { _ in
            let theta = 2 * Double.pi * Double(rng.next() >> 11) * 0x1p-53
            let x = [Double.cos(theta), Double.sin(theta)]
            return (x, [Double.sin(3 * theta) + 0.3 * rng.normal(), Double.cos(theta) + 0.3 * rng.normal()])
        }
    }

    static func engine(beta: Double, learn: Bool, rate: Double = SoftmaxBetaLearner.defaultRate) throws -> PredictionEngine {
        let spec = ModelSpec.softmax(try SoftmaxParameters(layout: .explicit(dimension: 2), outputs: 2, beta: beta, window: 48))
        return PredictionEngine(models: [ModelDefinition(
            name: "k", match: "", spec: spec, learning: LearningOptions(enabled: learn, refreshInterval: 8, betaRate: rate))])
    }

    /// Mean squared prequential error over all components, streams run `concurrent` at a time.
    static func run(_ engine: inout PredictionEngine, _ streams: [[(x: [Double], y: [Double])]], prefix: String) throws -> Double {
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        var sum = 0.0, count = 0
        for wave in stride(from: 0, to: streams.count, by: 10) {
            for t in 0..<streams[wave].count {
                for id in wave..<min(wave + 10, streams.count) {
                    let (x, y) = streams[id][t]
                    try engine.process(stream: "\(prefix)\(id)", message: InboundMessage(body: .observation(.labelled(x: x, y: y)), encoding: .json), now: 0, into: &out)
                    for e in out.prediction.error where e.isFinite { sum += e * e; count += 1 }
                }
            }
        }
        return sum / Double(count)
    }

    /// ½‖y − ŷ(β)‖² with ŷ from the predictor itself (a copy under another β, same window).
    static func loss(_ predictor: SoftmaxPredictor, beta: Double, x: [Double]?, y: [Double]) throws -> Double {
        let p = predictor.parameters
        let other = try SoftmaxPredictor(
            parameters: try SoftmaxParameters(layout: p.layout, outputs: p.outputs, beta: beta, window: p.window, priorMean: p.priorMean),
            state: predictor.state)
        var prediction = Prediction()
        if let x { try other.predict(query: x, into: &prediction) } else { other.currentPrediction(into: &prediction) }
        return zip(y, prediction.mean).reduce(0) { $0 + 0.5 * ($1.0 - $1.1) * ($1.0 - $1.1) }
    }

    @Test("the β gradient equals central finite differences of the predictor's own loss (explicit and series layouts)")
    func gradientMatchesFiniteDifferences() throws {
        var rng = EngineLearningTests.Rng(s: 12)
        var out = Prediction()
        let explicit = try SoftmaxParameters(layout: .explicit(dimension: 2), outputs: 2, beta: 3, window: 10)
        var a = SoftmaxPredictor(parameters: explicit)
        let series = try SoftmaxParameters(layout: .autoregressive(lags: 3, bias: true), outputs: 1, beta: 0.7, window: 10)
        var b = SoftmaxPredictor(parameters: series)
        var checked = 0
        for (x, y) in Self.stream(&rng, count: 25) {
            let z = [y[0]]
            for (predictor, query, target, observation) in [(a, Optional(x), y, Observation.labelled(x: x, y: y)), (b, nil, z, .series(z))] {
                var context = StreamContext(model: 0, predictor: .softmax(predictor))
                var tuning = SoftmaxTuning()
                let model = ModelDefinition(name: "k", match: "", spec: .softmax(predictor.parameters),
                                            learning: LearningOptions(enabled: true))
                let g = tuning.prepare(&context, model: model, observation: observation)
                guard predictor.state.fill > 0 else { #expect(g == nil); continue }
                let beta = predictor.parameters.beta, h = 1e-5
                let fd = (try Self.loss(predictor, beta: beta * Double.exp(h), x: query, y: target)
                          - Self.loss(predictor, beta: beta * Double.exp(-h), x: query, y: target)) / (2 * h)
                let analytic = try #require(g)
                #expect(abs(analytic - fd) <= 1e-6 * max(1, abs(fd)), "analytic \(analytic), finite difference \(fd)")
                checked += 1
            }
            try a.observe(.labelled(x: x, y: y), into: &out)
            try b.observe(.series(z), into: &out)
        }
        #expect(checked == 24 + 21, "explicit: every step after the first; series: once 3 lags and a pair are stored")
    }

    @Test("adopting a β in place predicts exactly as a predictor built with that β on the same window")
    func adoptEqualsRebuild() throws {
        var rng = EngineLearningTests.Rng(s: 5)
        let series = try SoftmaxParameters(layout: .autoregressive(lags: 2, bias: true), outputs: 1, beta: 0.7, window: 6)
        var adopted = SoftmaxPredictor(parameters: series)
        var a = Prediction(), b = Prediction()
        for (t, (_, y)) in Self.stream(&rng, count: 40).enumerated() {
            try adopted.observe(.series([y[0]]), into: &a)
            let beta = 0.5 + Double(t % 7)
            var rebuilt = try SoftmaxPredictor(parameters: try series.with(beta: beta), state: adopted.state)
            #expect(adopted.adopt(beta: beta) && adopted.parameters == rebuilt.parameters)
            try adopted.observe(.series([y[1]]), into: &a)
            try rebuilt.observe(.series([y[1]]), into: &b)
            #expect(a.isBitwiseEqual(to: b), "step \(t)")
        }
        let last = adopted.parameters
        #expect(!adopted.adopt(beta: 0) && !adopted.adopt(beta: .nan) && adopted.parameters == last)
    }

    @Test("β learned across streams from a poor start reaches the best fixed β of a grid, on held-out streams")
    func learnsTheBestBeta() throws {
        var rng = EngineLearningTests.Rng(s: 4)
        let training = (0..<100).map { _ in Self.stream(&rng, count: 200) }
        let heldOut = (0..<50).map { _ in Self.stream(&rng, count: 200) }
        // Reference: the held-out prequential MSE of fixed β on a √2 grid, each through an engine without learning.
        var grid: [(beta: Double, mse: Double)] = []
        for k in 0...14 {
            var fixed = try Self.engine(beta: Double.pow(2, Double(k) / 2), learn: false)
            grid.append((Double.pow(2, Double(k) / 2), try Self.run(&fixed, heldOut, prefix: "h")))
        }
        let best = grid.min { $0.mse < $1.mse }!
        var learning = try Self.engine(beta: 1, learn: true)
        _ = try Self.run(&learning, training, prefix: "t")
        let learned = try #require(learning.learning.softmax.models["k"])
        let mse = try Self.run(&learning, heldOut, prefix: "h")
        print("softmax β tuning: grid best β \(best.beta) (held-out MSE \(best.mse)), start β 1 (\(grid[0].mse)); "
              + "learned β \(learned.published) after \(learned.steps) steps from \(learned.contexts) streams, held-out MSE \(mse)")
        #expect(learned.contexts == 100 && learned.steps == 100 * 199)
        #expect(mse <= 1.01 * best.mse)
        #expect(grid[0].mse > 2 * best.mse, "the start must be clearly worse")
        // The learned β lies where the grid's MSE is within 2 % of the best.
        let good = grid.filter { $0.mse <= 1.02 * best.mse }.map(\.beta)
        #expect(learned.published >= good.min()! / 1.5 && learned.published <= good.max()! * 1.5, "\(good)")
    }

    /// The forecasting form with `learn: true`: β moves from a poor start towards lower prequential error, and every
    /// published prediction stays finite.
    @Test func forecastingFormLearnsBeta() throws {
        let options = try SoftmaxOptions(standardize: true, kernel: .distance, difference: 1)
        let spec = ModelSpec.softmax(try SoftmaxParameters(layout: .autoregressive(lags: 2, bias: false), beta: 0.01, window: 64, options: options))
        var engine = PredictionEngine(models: [ModelDefinition(
            name: "f", match: "", spec: spec, learning: LearningOptions(enabled: true, refreshInterval: 4, betaRate: 0.2))])
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        for s in 0..<6 {
            for t in 0..<300 {
                let y = 0.05 * Double(t) + Double.sin(Double(t) * 0.9 + Double(s))  // trend plus a cycle the lags identify
                try engine.process(stream: "f/\(s)", message: InboundMessage(body: .observation(.series([y])), encoding: .json), now: 0, into: &out)
                #expect(out.prediction.mean[0].isFinite)
            }
        }
        let learned = try #require(engine.learning.softmax.models["f"]).published
        #expect(learned > 0.05, "β stayed at \(learned) from 0.01: a flat kernel averages the whole window")
    }
}
