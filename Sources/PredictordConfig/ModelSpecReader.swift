import PredictorCore
import PredictorEngine

/// Reads one `model.<name>.*` section into a validated ``ModelDefinition``, collecting issues with key paths.
struct ModelSpecReader {
    static let kinds = ["rls", "auto", "softmax", "forward", "dual"]
    /// Keys that make an `rls` model a forecaster (differencing, seasonal or MA terms).
    static let forecastKeys = [
        "difference", "seasonal_difference", "season", "seasonal_lags", "ma", "seasonal_ma", "horizon", "variance_discount", "ma_estimator",
    ]

    static func read(name: String, keys: inout KeyReader) -> ModelDefinition? {
        let base = "model.\(name)"
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }), !name.isEmpty else {
            keys.fail("models", "model name '\(name)' may only use letters, digits, '_' and '-'")
            return nil
        }
        let match = keys.string("\(base).match", default: "")
        guard let kind = keys.requiredString("\(base).kind") else { return nil }
        let spec: ModelSpec?
        switch kind {
        case "rls": spec = rls(base, &keys)
        case "auto": spec = auto(base, &keys)
        case "softmax": spec = softmax(base, &keys)
        case "forward" where hasMeans(base, keys):
            spec = gaussianHMM(base, &keys).map { .gaussianForward($0) }
        case "dual" where hasMeans(base, keys):
            let window = keys.int("\(base).window", default: 16, range: 1...100_000)
            spec = gaussianHMM(base, &keys).flatMap { h in
                check(base, &keys) { () throws(ParameterError) in .gaussianDual(try GaussianDualFilterParameters(hmm: h, window: window)) }
            }
        case "forward": spec = hmm(base, &keys).map { .forward($0) }
        case "dual":
            let window = keys.int("\(base).window", default: 16, range: 1...100_000)
            spec = hmm(base, &keys).flatMap { h in
                check(base, &keys) { () throws(ParameterError) in .dual(try DualFilterParameters(hmm: h, window: window)) }
            }
        default:
            keys.fail("\(base).kind", "unknown model kind '\(kind)'; use one of \(kinds.joined(separator: ", "))")
            return nil
        }
        let learn = keys.bool("\(base).learn", default: false)
        var learning = LearningOptions(enabled: learn)
        if case let .rls(p)? = spec {
            learning.minimumPairs = keys.int("\(base).learn_after", default: 3 * p.featureCount, range: 1...1_000_000_000)
        }
        if case let .softmax(p)? = spec { softmaxLearning(base, &keys, beta: p.beta, into: &learning) }
        if let spec, let h = HMMLearner.model(of: spec) { hmmLearning(base, &keys, model: h, learner: HMMLearner.self, into: &learning) }
        if let spec, let h = GaussianHMMLearner.model(of: spec) {
            hmmLearning(base, &keys, model: h, learner: GaussianHMMLearner.self, into: &learning)
        }
        let levels = keys.doubles("\(base).intervals") ?? IntervalLevels.standard.levels
        var intervals = IntervalLevels.standard
        do { intervals = try IntervalLevels(levels) } catch { keys.fail("\(base).intervals", error.reason) }
        var horizon = 1
        if let spec, HMMLearning.hmm(of: spec) != nil { horizon = keys.int("\(base).horizon", default: 1, range: 1...256) }
        return spec.map {
            var definition = ModelDefinition(name: name, match: match, spec: $0, learning: learning, intervals: intervals)
            definition.horizon = horizon
            return definition
        }
    }

    /// The β-tuning keys of a `softmax` model (read even without `learn`), validated by building the learner.
    private static func softmaxLearning(_ base: String, _ keys: inout KeyReader, beta: Double, into learning: inout LearningOptions) {
        learning.betaRate = keys.double("\(base).learn_rate", default: SoftmaxBetaLearner.defaultRate)
        learning.refreshInterval = keys.int("\(base).learn_refresh", default: LearningOptions.defaultRefreshSegments, range: 1...1_000_000_000)
        do {
            _ = try SoftmaxBetaLearner(beta: beta, options: learning)
        } catch {
            keys.fail("\(base).\(error.parameter)", error.reason)
        }
    }

    /// The online-EM keys of a `forward` or `dual` model, symbol or Gaussian (read even without `learn`, so they are
    /// not unknown keys), validated by building the learner they describe.
    private static func hmmLearning<L: EngineHMMLearner>(_ base: String, _ keys: inout KeyReader, model hmm: L.Parameters,
                                                         learner: L.Type, into learning: inout LearningOptions) {
        learning.segmentLength = keys.int("\(base).learn_segment", default: HMMLearner.defaultSegmentLength, range: 1...HMMSegmentCollector.maxLength)
        learning.stepOffset = keys.double("\(base).learn_offset", default: HMMLearner.defaultOffset)
        learning.stepExponent = keys.double("\(base).learn_exponent", default: HMMLearner.defaultExponent)
        learning.smoothing = keys.double("\(base).learn_smoothing", default: HMMLearner.defaultSmoothing)
        learning.refreshInterval = keys.int("\(base).learn_refresh", default: LearningOptions.defaultRefreshSegments, range: 1...1_000_000_000)
        do {
            let learner = try EMModelLearner<L>(model: hmm, options: learning, serial: 0)
            _ = try learner.learner.parameters(smoothing: learning.smoothing)
        } catch {
            keys.fail("\(base).\(error.parameter)", error.reason)
        }
    }

    /// Runs a throwing parameter constructor, turning its error into an issue at `base.<parameter>`.
    private static func check(_ base: String, _ keys: inout KeyReader, _ make: () throws(ParameterError) -> ModelSpec) -> ModelSpec? {
        do { return try make() } catch {
            keys.fail("\(base).\(error.parameter)", error.reason)
            return nil
        }
    }

    /// `lags: p` (autoregressive, with `bias`) or `dimension: p` (explicit x); exactly one.
    private static func layout(_ base: String, _ keys: inout KeyReader) -> FeatureLayout? {
        let lags = keys.optionalInt("\(base).lags")
        let dimension = keys.optionalInt("\(base).dimension")
        let bias = keys.bool("\(base).bias", default: true)
        switch (lags, dimension) {
        case let (l?, nil): return .autoregressive(lags: l, bias: bias)
        case let (nil, d?): return .explicit(dimension: d)
        case (nil, nil):
            keys.fail("\(base).lags", "set either 'lags' (autoregressive series) or 'dimension' (explicit features x)")
        case (_?, _?):
            keys.fail("\(base).dimension", "set only one of 'lags' and 'dimension'")
        }
        return nil
    }

    /// `ma_estimator`: `rml` (default) or `els`.
    private static func estimator(_ base: String, _ keys: inout KeyReader) -> MovingAverageEstimator {
        let name = keys.string("\(base).ma_estimator", default: MovingAverageEstimator.recursiveMaximumLikelihood.rawValue)
        guard let estimator = MovingAverageEstimator(rawValue: name) else {
            keys.fail("\(base).ma_estimator", "unknown MA estimator '\(name)'; use rml (recursive maximum likelihood) or els (extended least squares)")
            return .recursiveMaximumLikelihood
        }
        return estimator
    }

    /// The `auto` bank: the product of the listed lag orders, differences, MA orders and λ, each without a season
    /// and, for every period in `seasons`, with each seasonal form (P, D, Q) from the seasonal lists.
    private static func auto(_ base: String, _ keys: inout KeyReader) -> ModelSpec? {
        let lags = keys.ints("\(base).lags", default: [1, 2, 3], range: 0...64)
        let differences = keys.ints("\(base).difference", default: [0, 1], range: 0...2)
        let mas = keys.ints("\(base).ma", default: [0, 1], range: 0...8)
        let lambdas = keys.doubles("\(base).lambda") ?? [1]
        let discounts = keys.doubles("\(base).variance_discount")
        let maEstimator = estimator(base, &keys)
        let seasons = keys.ints("\(base).seasons", default: [], range: 2...10_000)
        let seasonalLags = keys.ints("\(base).seasonal_lags", default: [0], range: 0...4)
        let seasonalDifferences = keys.ints("\(base).seasonal_difference", default: [1], range: 0...1)
        let seasonalMAs = keys.ints("\(base).seasonal_ma", default: [0, 1], range: 0...2)
        let dimension = keys.int("\(base).dimension", default: 0, range: 0...4096)
        let bias = keys.bool("\(base).bias", default: true)
        let delta = keys.double("\(base).delta", default: 1e-6)
        let forgetting = keys.double("\(base).forgetting", default: 1)
        let horizon = keys.int("\(base).horizon", default: 1, range: 1...256)
        let leadWeights = keys.bool("\(base).lead_weights", default: false)
        var forms: [(s: Int, p: Int, d: Int, q: Int)] = [(1, 0, 0, 0)]
        for s in seasons {
            for P in seasonalLags { for D in seasonalDifferences { for Q in seasonalMAs where P + D + Q > 0 { forms.append((s, P, D, Q)) } } }
        }
        var members: [ForecastParameters] = []
        for form in forms { for d in differences { for p in lags { for q in mas { for lambda in lambdas { for beta in discounts ?? [lambda] {
            guard members.count < ForecastBankParameters.maximumMembers else { continue }
            do {
                members.append(try ForecastParameters(
                    regressors: dimension, lags: p, seasonalLags: form.p, movingAverage: q, seasonalMovingAverage: form.q,
                    difference: d, seasonalDifference: form.d, season: form.s, bias: bias, lambda: lambda, delta: delta,
                    horizon: horizon, varianceDiscount: beta, movingAverageEstimator: maEstimator))
            } catch {
                keys.fail("\(base).\(error.parameter)", error.reason)
                return nil
            }
        } } } } } }
        guard members.count < ForecastBankParameters.maximumMembers else {
            keys.fail("\(base).lags", "the lists make more than \(ForecastBankParameters.maximumMembers - 1) members; shorten them")
            return nil
        }
        return check(base, &keys) { () throws(ParameterError) in
            .auto(try ForecastBankParameters(members: members, forgetting: forgetting, leadWeights: leadWeights))
        }
    }

    /// An `rls` model with differencing, seasonal or MA keys, or with both `lags` and `dimension` (ARX).
    private static func forecast(_ base: String, _ keys: inout KeyReader) -> ModelSpec? {
        let lags = keys.int("\(base).lags", default: 0, range: 0...4096)
        let dimension = keys.int("\(base).dimension", default: 0, range: 0...4096)
        let bias = keys.bool("\(base).bias", default: true)
        let lambda = keys.double("\(base).lambda", default: 1)
        let discount = keys.double("\(base).variance_discount", default: lambda)
        let maEstimator = estimator(base, &keys)
        let delta = keys.double("\(base).delta", default: 1e-6)
        let d = keys.int("\(base).difference", default: 0, range: 0...2)
        let sd = keys.int("\(base).seasonal_difference", default: 0, range: 0...2)
        let season = keys.int("\(base).season", default: 1, range: 1...100_000)
        let sp = keys.int("\(base).seasonal_lags", default: 0, range: 0...16)
        let q = keys.int("\(base).ma", default: 0, range: 0...64)
        let sq = keys.int("\(base).seasonal_ma", default: 0, range: 0...4)
        let horizon = keys.int("\(base).horizon", default: 1, range: 1...256)
        _ = keys.int("\(base).outputs", default: 1, range: 1...1)
        return check(base, &keys) { () throws(ParameterError) in
            .forecast(try ForecastParameters(
                regressors: dimension, lags: lags, seasonalLags: sp, movingAverage: q, seasonalMovingAverage: sq,
                difference: d, seasonalDifference: sd, season: season, bias: bias, lambda: lambda, delta: delta,
                horizon: horizon, varianceDiscount: discount, movingAverageEstimator: maEstimator))
        }
    }

    private static func rls(_ base: String, _ keys: inout KeyReader) -> ModelSpec? {
        let isForecast = forecastKeys.contains { keys.reader.string(forKey: .init("\(base).\($0)")) != nil }
            || (keys.reader.string(forKey: .init("\(base).lags")) != nil && keys.reader.string(forKey: .init("\(base).dimension")) != nil)
        if isForecast { return forecast(base, &keys) }
        let layout = layout(base, &keys)
        let outputs = keys.int("\(base).outputs", default: 1, range: 1...4096)
        let lambda = keys.double("\(base).lambda", default: 1)
        let delta = keys.double("\(base).delta", default: 1e-6)
        let prior = keys.doubles("\(base).prior_mean")
        guard let layout else { return nil }
        let p = layout.featureCount(outputs: outputs)
        return check(base, &keys) { () throws(ParameterError) in
            .rls(try RLSParameters(layout: layout, outputs: outputs, lambda: lambda, delta: delta,
                                   priorMean: prior ?? [Double](repeating: 0, count: p * outputs)))
        }
    }

    private static func softmax(_ base: String, _ keys: inout KeyReader) -> ModelSpec? {
        let layout = layout(base, &keys)
        let outputs = keys.int("\(base).outputs", default: 1, range: 1...4096)
        let beta = keys.double("\(base).beta", default: 1)
        let window = keys.int("\(base).window", default: 64, range: 1...1_000_000)
        let prior = keys.doubles("\(base).prior_mean")
        let options = softmaxOptions(base, &keys)
        guard let layout, let options else { return nil }
        return check(base, &keys) { () throws(ParameterError) in
            .softmax(try SoftmaxParameters(layout: layout, outputs: outputs, beta: beta, window: window,
                                           priorMean: prior ?? [Double](repeating: 0, count: outputs), options: options))
        }
    }

    /// The forecasting form's keys of a `softmax` model (docs/configuration.md); all off by default.
    private static func softmaxOptions(_ base: String, _ keys: inout KeyReader) -> SoftmaxOptions? {
        let standardize = keys.bool("\(base).standardize", default: false)
        let kernelName = keys.string("\(base).kernel", default: SoftmaxKernel.dot.name)
        let d = keys.int("\(base).difference", default: 0, range: 0...2)
        let sd = keys.int("\(base).seasonal_difference", default: 0, range: 0...1)
        let season = keys.int("\(base).season", default: 1, range: 1...100_000)
        let prior = keys.double("\(base).variance_prior", default: 2)
        let floor = keys.double("\(base).variance_floor", default: 0.01)
        guard let kernel = SoftmaxKernel(name: kernelName) else {
            keys.fail("\(base).kernel", "unknown kernel '\(kernelName)'; use dot or distance")
            return nil
        }
        do {
            return try SoftmaxOptions(standardize: standardize, kernel: kernel, difference: d, seasonalDifference: sd,
                                      season: season, variancePrior: prior, varianceFloor: floor)
        } catch {
            keys.fail("\(base).\(error.parameter)", error.reason)
            return nil
        }
    }

    /// Whether a `forward`/`dual` section sets `means` (Gaussian emissions) rather than `symbols`/`emission`.
    private static func hasMeans(_ base: String, _ keys: KeyReader) -> Bool {
        keys.reader.stringArray(forKey: .init("\(base).means")) != nil || keys.reader.string(forKey: .init("\(base).means")) != nil
    }

    /// `forward`/`dual` with Gaussian emissions: `states`, `transition`, `initial`, and per state `means`, `variances`.
    private static func gaussianHMM(_ base: String, _ keys: inout KeyReader) -> GaussianHMMParameters? {
        let d = keys.int("\(base).states", default: 0, range: 1...HMMParameters.maxStates)
        let transition = keys.doubles("\(base).transition")
        let initial = keys.doubles("\(base).initial")
        let means = keys.doubles("\(base).means")
        let variances = keys.doubles("\(base).variances")
        for (key, value) in [("transition", transition), ("variances", variances)] where value == nil {
            keys.fail("\(base).\(key)", "is required with 'means' (one entry per state; transition row-major)")
        }
        if d == 0, !keys.issues.contains(where: { $0.key == "\(base).states" }) { keys.fail("\(base).states", "is required") }
        guard d > 0, let transition, let means, let variances else { return nil }
        guard means.count == d else {
            keys.fail("\(base).means", "must have one entry per state (states = \(d)), got \(means.count)")
            return nil
        }
        do {
            return try GaussianHMMParameters(transition: transition, initial: initial ?? [Double](repeating: 1 / Double(d), count: d),
                                             means: means, variances: variances)
        } catch {
            keys.fail("\(base).\(error.parameter)", error.reason)
            return nil
        }
    }

    private static func hmm(_ base: String, _ keys: inout KeyReader) -> HMMParameters? {
        let d = keys.int("\(base).states", default: 0, range: 1...4096)
        let m = keys.int("\(base).symbols", default: 0, range: 1...65535)
        let transition = keys.doubles("\(base).transition")
        let emission = keys.doubles("\(base).emission")
        let initial = keys.doubles("\(base).initial")
        let values = keys.doubles("\(base).values")
        for (key, value) in [("states", d), ("symbols", m)] where value == 0 {
            if !keys.issues.contains(where: { $0.key == "\(base).\(key)" }) { keys.fail("\(base).\(key)", "is required") }
        }
        for (key, value) in [("transition", transition), ("emission", emission)] where value == nil {
            keys.fail("\(base).\(key)", "is required (row-major matrix as a flat list)")
        }
        guard d > 0, m > 0, let transition, let emission else { return nil }
        do {
            return try HMMParameters(
                states: d, symbols: m, transition: transition, emission: emission,
                initial: initial ?? [Double](repeating: 1 / Double(d), count: d),
                values: values ?? (0..<m).map(Double.init))
        } catch {
            keys.fail("\(base).\(error.parameter)", error.reason)
            return nil
        }
    }
}
