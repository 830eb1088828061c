import PredictorCore
import PredictorEngine

/// Prints a resolved configuration as YAML (what `check-config` shows), defaults filled in.
public enum ConfigurationRenderer {
    public static func yaml(_ c: DaemonConfiguration) -> String {
        var lines: [String] = []
        func list(_ values: [String]) -> String { "[" + values.map(quote).joined(separator: ", ") + "]" }
        func nums(_ values: [Double]) -> String { "[" + values.map { "\($0)" }.joined(separator: ", ") + "]" }
        lines += [
            "sockets:",
            "  observations:",
            "    bind: \(list(c.observations.bind))",
            "    connect: \(list(c.observations.connect))",
            "    subscribe: \(list(c.observations.subscribe))",
            "    receive_hwm: \(c.observations.receiveHighWaterMark)",
        ]
        lines += curveLines(c.observations.curve, allowKey: "allowed_publishers")
        lines += [
            "  predictions:",
            "    bind: \(list(c.predictions.bind))",
            "    send_hwm: \(c.predictions.sendHighWaterMark)",
            "    slow_subscriber: \(c.predictions.slowSubscriber.rawValue)",
            "    linger_seconds: \(c.predictions.lingerSeconds)",
        ]
        lines += curveLines(c.predictions.curve, allowKey: "allowed_subscribers")
        lines += [
            "limits:",
            "  max_contexts: \(c.limits.maxContexts)",
            "  idle_ttl_seconds: \(c.limits.idleTTLSeconds)",
            "  max_message_bytes: \(c.limits.maxMessageBytes)",
            "  max_topic_bytes: \(c.limits.maxTopicBytes)",
            "  max_vector_length: \(c.limits.maxVectorLength)",
        ]
        // Unset means "as limits.max_contexts": printing that number would pin it when the output is reused.
        lines.append(c.limits.maxContextsPerPrefix.map { "  max_contexts_per_prefix: \($0)" }
            ?? "  # max_contexts_per_prefix: unset, i.e. limits.max_contexts")
        lines += [
            "state:",
            "  directory: \(quote(c.state.directory))",
            "  checkpoint_interval_seconds: \(c.state.checkpointIntervalSeconds)",
            "  journal: \(c.state.journal.rawValue)",
            "logging:",
            "  level: \(c.logging.level)",
            "  stats_interval_seconds: \(c.logging.statsIntervalSeconds)",
            "  format: \(c.logging.format)",
        ]
        lines += httpLines(c.http)
        lines += [
            "models: \(list(c.models.map(\.name)))",
            "model:",
        ]
        for m in c.models { lines += modelLines(m) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The `http` section (the token file's path, never its token).
    static func httpLines(_ h: HTTPConfiguration) -> [String] {
        [
            "http:",
            "  listen: \(quote(h.listen ?? ""))\(h.listen == nil ? "   # off" : "")",
            "  token_file: \(quote(h.tokenFile ?? ""))\(h.tokenFile == nil ? "   # no authentication" : "")",
            "  quality_half_life: \(h.qualityHalfLife)",
            "  latency_sample_every: \(h.latencySampleEvery)",
        ]
    }

    /// The CURVE lines of one socket (public key and allowed keys as comments; never the secret key).
    static func curveLines(_ curve: CurveServerConfiguration?, allowKey: String) -> [String] {
        guard let curve else { return [] }
        return [
            "    curve_secret_key_file: \(quote(curve.secretKeyFile))   # CURVE on; server public key \(curve.keyPair.publicKey.z85)",
            "    \(allowKey): [" + curve.allowPaths.map(quote).joined(separator: ", ") + "]   # \(curve.allowed.count) key(s)",
        ]
    }

    /// The YAML lines of one model definition (two-space indented under `model:`).
    public static func modelLines(_ m: ModelDefinition) -> [String] {
        var lines: [String] = []
        func nums(_ values: [Double]) -> String { "[" + values.map { "\($0)" }.joined(separator: ", ") + "]" }
        lines += ["  \(m.name):", "    kind: \(m.spec.kind)", "    match: \(quote(m.match))"]
        lines += ["    intervals: \(nums(m.intervals.levels))"]
        func layout(_ l: FeatureLayout) {
            switch l {
            case let .autoregressive(lags, bias): lines += ["    lags: \(lags)", "    bias: \(bias)"]
            case let .explicit(d): lines += ["    dimension: \(d)"]
            }
        }
        func hmm(_ h: HMMParameters) {
            lines += [
                "    states: \(h.states)", "    symbols: \(h.symbols)",
                "    transition: \(nums(h.transition))", "    emission: \(nums(h.emission))",
                "    initial: \(nums(h.initial))", "    values: \(nums(h.values))",
            ]
        }
        func gaussian(_ h: GaussianHMMParameters) {
            lines += [
                "    states: \(h.states)", "    transition: \(nums(h.transition))", "    initial: \(nums(h.initial))",
                "    means: \(nums(h.means))", "    variances: \(nums(h.variances))",
            ]
        }
        func forecast(_ f: ForecastParameters) {
            lines += [
                "    lags: \(f.lags)", "    dimension: \(f.regressors)", "    bias: \(f.bias)", "    lambda: \(f.lambda)", "    delta: \(f.delta)",
                "    difference: \(f.difference)", "    seasonal_difference: \(f.seasonalDifference)", "    season: \(f.season)",
                "    seasonal_lags: \(f.seasonalLags)", "    ma: \(f.movingAverage)", "    seasonal_ma: \(f.seasonalMovingAverage)",
                "    horizon: \(f.horizon)", "    variance_discount: \(f.varianceDiscount)",
                "    ma_estimator: \(f.movingAverageEstimator.rawValue)",
            ]
        }
        switch m.spec {
        case let .rls(p):
            layout(p.layout)
            lines += ["    outputs: \(p.outputs)", "    lambda: \(p.lambda)", "    delta: \(p.delta)", "    prior_mean: \(nums(p.priorMean))"]
            lines += ["    learn: \(m.learning.enabled)"]
            // Only a learning model has a meaningful learn_after (a model built in code without learning has 0).
            if m.learning.enabled { lines += ["    learn_after: \(m.learning.minimumPairs)"] }
        case let .softmax(p):
            layout(p.layout)
            lines += ["    outputs: \(p.outputs)", "    beta: \(p.beta)", "    window: \(p.window)", "    prior_mean: \(nums(p.priorMean))"]
            let o = p.options
            lines += [
                "    standardize: \(o.standardize)", "    kernel: \(o.kernel.name)", "    difference: \(o.difference)",
                "    seasonal_difference: \(o.seasonalDifference)", "    season: \(o.season)",
                "    variance_prior: \(o.variancePrior)", "    variance_floor: \(o.varianceFloor)",
            ]
            lines += ["    learn: \(m.learning.enabled)", "    learn_rate: \(m.learning.betaRate)", "    learn_refresh: \(m.learning.refreshInterval)"]
        case let .forecast(f): forecast(f)
        case let .auto(b):
            func list(_ values: [Int]) -> String { "[" + Array(Set(values)).sorted().map(String.init).joined(separator: ", ") + "]" }
            let ms = b.members
            lines += [
                "    lags: \(list(ms.map(\.lags)))", "    difference: \(list(ms.map(\.difference)))", "    ma: \(list(ms.map(\.movingAverage)))",
                "    lambda: \(nums(Array(Set(ms.map(\.lambda))).sorted(by: >)))",
            ]
            // β is a list of its own only when some member's differs from its λ (else each member's β is its λ).
            if b.hasOwnVarianceDiscount {
                lines += ["    variance_discount: \(nums(Array(Set(ms.map(\.varianceDiscount))).sorted(by: >)))"]
            }
            lines += [
                "    seasons: \(list(ms.filter { $0.season > 1 }.map(\.season)))",
                "    seasonal_lags: \(list(ms.filter { $0.season > 1 }.map(\.seasonalLags)))",
                "    seasonal_difference: \(list(ms.filter { $0.season > 1 }.map(\.seasonalDifference)))",
                "    seasonal_ma: \(list(ms.filter { $0.season > 1 }.map(\.seasonalMovingAverage)))",
                "    dimension: \(b.regressors)", "    bias: \(ms[0].bias)", "    delta: \(ms[0].delta)", "    forgetting: \(b.forgetting)", "    horizon: \(ms[0].horizon)",
                "    lead_weights: \(b.leadWeights)",
                "    ma_estimator: \(ms[0].movingAverageEstimator.rawValue)",
                "    # \(ms.count) members: " + b.labels.joined(separator: "; "),
            ]
        case let .forward(h): hmm(h); lines += ["    horizon: \(m.horizon)"]
        case let .dual(p): lines += ["    window: \(p.window)", "    horizon: \(m.horizon)"]; hmm(p.hmm)
        case let .gaussianForward(h): gaussian(h)
        case let .gaussianDual(p): lines += ["    window: \(p.window)"]; gaussian(p.hmm)
        }
        if HMMLearner.model(of: m.spec) != nil || GaussianHMMLearner.model(of: m.spec) != nil {
            let l = m.learning
            lines += [
                "    learn: \(l.enabled)", "    learn_segment: \(l.segmentLength)", "    learn_offset: \(l.stepOffset)",
                "    learn_exponent: \(l.stepExponent)", "    learn_smoothing: \(l.smoothing)", "    learn_refresh: \(l.refreshInterval)",
            ]
        }
        return lines
    }

    /// A double-quoted YAML scalar.
    static func quote(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out + "\""
    }
}
