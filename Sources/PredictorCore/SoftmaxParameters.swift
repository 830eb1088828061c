/// Slow memory of the `softmax` model: feature layout, temperature β, window W and the empty-window prior.
///
/// Validated on construction (and on decoding), so a predictor never sees an unusable value.
public struct SoftmaxParameters: Sendable, Equatable, BinaryCodable {
    /// How observations become feature vectors x (autoregressive lags + bias, or explicit features).
    public let layout: FeatureLayout
    /// Output dimension q (components of y), in 1...4096.
    public let outputs: Int
    /// Temperature: the logit of key x_i at query x is β·x_iᵀx; finite and > 0.
    public private(set) var beta: Double
    /// Window W: how many of the most recent (x, y) pairs the kernel average runs over, in 1...1_000_000.
    public let window: Int
    /// The prediction (q values) while the window is empty.
    public let priorMean: [Double]
    /// The forecasting form (standardisation, kernel, differencing, predictive variance); `.plain` by default.
    public let options: SoftmaxOptions

    /// Validates every value, throwing a ``ParameterError`` that names its configuration key
    /// (`outputs`, `lags`/`dimension`, `beta`, `window`, `prior_mean`). `priorMean` defaults to zeros.
    public init(layout: FeatureLayout, outputs: Int = 1, beta: Double, window: Int,
                priorMean: [Double]? = nil, options: SoftmaxOptions = .plain) throws(ParameterError) {
        guard outputs >= 1, outputs <= 4096 else {
            throw ParameterError("outputs", "must be an integer in 1...4096, got \(outputs)")
        }
        try layout.validate()
        guard beta.isFinite, beta > 0 else {
            throw ParameterError("beta", "must be a finite number > 0, got \(beta)")
        }
        guard window >= 1, window <= 1_000_000 else {
            throw ParameterError("window", "must be an integer in 1...1000000, got \(window)")
        }
        let prior = priorMean ?? [Double](repeating: 0, count: outputs)
        guard prior.count == outputs else {
            throw ParameterError("prior_mean", "must have \(outputs) component(s) (one per output), got \(prior.count)")
        }
        guard prior.allSatisfy(\.isFinite) else {
            throw ParameterError("prior_mean", "must contain finite numbers only")
        }
        self.layout = layout
        self.outputs = outputs
        self.beta = beta
        self.window = window
        if options.differencingOrder > 0, case .explicit = layout {
            throw ParameterError("difference", "differencing needs a series model ('lags'), not explicit features ('dimension')")
        }
        self.priorMean = prior
        self.options = options
    }

    /// The same parameters under another β (finite and > 0), e.g. one learned across contexts; checks only β.
    public func with(beta: Double) throws(ParameterError) -> SoftmaxParameters {
        guard beta.isFinite, beta > 0 else {
            throw ParameterError("beta", "must be a finite number > 0, got \(beta)")
        }
        var copy = self
        copy.beta = beta
        return copy
    }

    /// Number of feature components p of every key and query.
    public var featureCount: Int { layout.featureCount(outputs: outputs) }

    public func encode(to writer: inout ByteWriter) {
        layout.encode(to: &writer)
        writer.write(outputs)
        writer.write(beta)
        writer.write(window)
        writer.write(priorMean)
        // Plain parameters encode exactly as before the options existed (so older checkpoints match bitwise); the
        // options follow only when set, and a spec's bytes end with its softmax parameters (ModelSpec).
        if options != .plain { options.encode(to: &writer) }
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        let layout = try FeatureLayout(from: &reader)
        let outputs = try reader.readInt()
        let beta = try reader.readDouble()
        let window = try reader.readInt()
        let prior = try reader.readDoubles()
        let options = reader.isAtEnd ? SoftmaxOptions.plain : try SoftmaxOptions(from: &reader)
        do {
            try self.init(layout: layout, outputs: outputs, beta: beta, window: window, priorMean: prior, options: options)
        } catch {
            throw StateDecodingError("invalid softmax parameters: \(error)")
        }
    }
}
