/// Slow memory of the `rls` model: feature layout, forgetting factor λ, noise-scale discount β, ridge δ and prior
/// mean w₀ (math.md §2).
///
/// Validated once at construction, so the per-step path never re-checks it; errors name the configuration key.
public struct RLSParameters: Sendable, Equatable, BinaryCodable {
    /// Largest feature count p accepted: P is p×p doubles per context (4096² × 8 B = 128 MiB).
    public static let maximumFeatureCount = 4096
    /// Largest output dimension q accepted.
    public static let maximumOutputs = 4096

    /// How observations become feature vectors (autoregressive lags or explicit x).
    public let layout: FeatureLayout
    /// Output dimension q ≥ 1 (components of y).
    public let outputs: Int
    /// Forgetting factor λ ∈ (0, 1]: pair i of n has weight λ^{n−i}.
    public let lambda: Double
    /// Discount β ∈ (0, 1] of the noise scale's evidence (J and ν), λ unless set: β < λ lets the predictive
    /// variance follow a changing noise level faster than the coefficients move (variance discounting, West &
    /// Harrison 1997, §10.8).
    public let varianceDiscount: Double
    /// Ridge strength δ > 0 towards `priorMean`: P₀ = I/δ.
    public let delta: Double
    /// Prior weights w₀, p×q row-major (row i = feature i): W₀ and the ridge centre.
    public let priorMean: [Double]
    /// Feature count p = `layout.featureCount(outputs:)`.
    public let featureCount: Int

    /// Validates every value; `priorMean` nil means zeros. Throws naming the key: `outputs`, `lags`, `dimension`,
    /// `lambda`, `variance_discount`, `delta` or `prior_mean` (NaN is rejected like any other out-of-range value);
    /// `varianceDiscount` nil means λ.
    public init(
        layout: FeatureLayout, outputs: Int, lambda: Double, delta: Double, priorMean: [Double]? = nil,
        varianceDiscount: Double? = nil
    ) throws(ParameterError) {
        guard outputs >= 1, outputs <= Self.maximumOutputs else {
            throw ParameterError("outputs", "must be an integer in 1...\(Self.maximumOutputs), got \(outputs)")
        }
        try layout.validate()
        let p = layout.featureCount(outputs: outputs)
        guard p <= Self.maximumFeatureCount else {
            switch layout {
            case .autoregressive:
                throw ParameterError(
                    "lags", "lags × outputs (+1 with bias) must be at most \(Self.maximumFeatureCount), got \(p)")
            case .explicit:
                throw ParameterError("dimension", "must be at most \(Self.maximumFeatureCount) for rls, got \(p)")
            }
        }
        guard lambda > 0, lambda <= 1 else {
            throw ParameterError("lambda", "must be in (0, 1], got \(lambda)")
        }
        let discount = varianceDiscount ?? lambda
        guard discount > 0, discount <= 1 else {
            throw ParameterError("variance_discount", "must be in (0, 1], got \(discount)")
        }
        guard delta > 0, delta.isFinite, (1 / delta).isFinite else {
            throw ParameterError("delta", "must be a finite number > 0 whose reciprocal is finite, got \(delta)")
        }
        let prior = priorMean ?? [Double](repeating: 0, count: p * outputs)
        guard prior.count == p * outputs else {
            throw ParameterError(
                "prior_mean", "must have p×q = \(p)×\(outputs) = \(p * outputs) values, got \(prior.count)")
        }
        if let bad = prior.firstIndex(where: { !$0.isFinite }) {
            throw ParameterError("prior_mean", "must be finite, got \(prior[bad]) at index \(bad)")
        }
        self.layout = layout
        self.outputs = outputs
        self.lambda = lambda
        self.varianceDiscount = discount
        self.delta = delta
        self.priorMean = prior
        self.featureCount = p
    }

    /// The encoding has no β: it is λ for every `rls` model (β ≠ λ is a forecasting model, ``ForecastParameters``).
    public func encode(to writer: inout ByteWriter) {
        layout.encode(to: &writer)
        writer.write(outputs)
        writer.write(lambda)
        writer.write(delta)
        writer.write(priorMean)
    }

    /// Decodes and re-validates; invalid values become a ``StateDecodingError`` carrying the parameter message.
    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        let layout = try FeatureLayout(from: &reader)
        let outputs = try reader.readInt()
        let lambda = try reader.readDouble()
        let delta = try reader.readDouble()
        let prior = try reader.readDoubles()
        do {
            try self.init(layout: layout, outputs: outputs, lambda: lambda, delta: delta, priorMean: prior)
        } catch {
            throw StateDecodingError("rls parameters: \(error)")
        }
    }
}
