import PredictorCore

/// The slow memory of one configured model: which predictor it is and its validated parameters.
public enum ModelSpec: Sendable, Equatable {
    case rls(RLSParameters)
    case softmax(SoftmaxParameters)
    case forward(HMMParameters)
    case dual(DualFilterParameters)
    /// `rls` with differencing, seasonal or MA terms, or lags with regressors (``SeriesForecaster``).
    case forecast(ForecastParameters)
    /// The `auto` bank (``ForecastBank``).
    case auto(ForecastBankParameters)
    /// `forward` and `dual` with Gaussian emissions (`means`, `variances`): real-valued observations.
    case gaussianForward(GaussianHMMParameters)
    case gaussianDual(GaussianDualFilterParameters)

    /// Wire name of the model kind.
    public var kind: String {
        switch self {
        case .rls: RLSPredictor.kind
        case .softmax: SoftmaxPredictor.kind
        case .forward: ForwardFilter.kind
        case .dual: DualFilter.kind
        case .forecast: SeriesForecaster.kind
        case .auto: ForecastBank.kind
        case .gaussianForward: GaussianForwardFilter.kind
        case .gaussianDual: GaussianDualFilter.kind
        }
    }

    /// value(z) per symbol of an HMM model; empty for real-valued models.
    var symbolValues: [Double] {
        switch self {
        case .rls, .softmax, .forecast, .auto, .gaussianForward, .gaussianDual: []
        case let .forward(p): p.values
        case let .dual(p): p.hmm.values
        }
    }

    /// A fresh context of this model (empty fast memory).
    public func makePredictor() -> AnyPredictor {
        switch self {
        case let .rls(p): .rls(RLSPredictor(parameters: p))
        case let .softmax(p): .softmax(SoftmaxPredictor(parameters: p))
        case let .forward(p): .forward(ForwardFilter(parameters: p))
        case let .dual(p): .dual(DualFilter(parameters: p))
        case let .forecast(p): .forecast(SeriesForecaster(parameters: p))
        case let .auto(p): .auto(ForecastBank(parameters: p))
        case let .gaussianForward(p): .gaussianForward(GaussianForwardFilter(parameters: p))
        case let .gaussianDual(p): .gaussianDual(GaussianDualFilter(parameters: p))
        }
    }

    /// Resumes a context of this model from the bytes of its checkpointed fast memory.
    public func restorePredictor(state bytes: [UInt8]) throws(StateDecodingError) -> AnyPredictor {
        var reader = ByteReader(bytes)
        let predictor: AnyPredictor
        switch self {
        case let .rls(p): predictor = .rls(try RLSPredictor(parameters: p, state: try .init(from: &reader)))
        case let .softmax(p): predictor = .softmax(try SoftmaxPredictor(parameters: p, state: try .init(from: &reader)))
        case let .forward(p): predictor = .forward(try ForwardFilter(parameters: p, state: try .init(from: &reader)))
        case let .dual(p): predictor = .dual(try DualFilter(parameters: p, state: try .init(from: &reader)))
        case let .forecast(p): predictor = .forecast(try SeriesForecaster(parameters: p, state: try .init(from: &reader)))
        case let .auto(p): predictor = .auto(try ForecastBank(parameters: p, state: try .init(from: &reader)))
        case let .gaussianForward(p):
            predictor = .gaussianForward(try GaussianForwardFilter(parameters: p, state: try .init(from: &reader)))
        case let .gaussianDual(p): predictor = .gaussianDual(try GaussianDualFilter(parameters: p, state: try .init(from: &reader)))
        }
        guard reader.isAtEnd else { throw StateDecodingError("\(reader.remaining) trailing bytes after \(kind) state") }
        return predictor
    }
}

extension ModelSpec: BinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        switch self {
        case let .rls(p): writer.write(UInt8(0)); p.encode(to: &writer)
        case let .softmax(p): writer.write(UInt8(1)); p.encode(to: &writer)
        case let .forward(p): writer.write(UInt8(2)); p.encode(to: &writer)
        case let .dual(p): writer.write(UInt8(3)); p.encode(to: &writer)
        // Tags 8 and 9: the same models with β and the MA estimator (tags 4 and 5: the format before them, β = λ, ELS).
        case let .forecast(p): writer.write(UInt8(p.needsLongEncoding ? 8 : 4)); p.encode(to: &writer, long: p.needsLongEncoding)
        // Tag 10: an auto bank with `lead_weights` (long members, then the flag).
        case let .auto(p) where p.leadWeights: writer.write(UInt8(10)); p.encode(to: &writer, long: true, lead: true)
        case let .auto(p): writer.write(UInt8(p.needsLongEncoding ? 9 : 5)); p.encode(to: &writer, long: p.needsLongEncoding)
        case let .gaussianForward(p): writer.write(UInt8(6)); p.encode(to: &writer)
        case let .gaussianDual(p): writer.write(UInt8(7)); p.encode(to: &writer)
        }
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        switch try reader.readUInt8() {
        case 0: self = .rls(try .init(from: &reader))
        case 1: self = .softmax(try .init(from: &reader))
        case 2: self = .forward(try .init(from: &reader))
        case 3: self = .dual(try .init(from: &reader))
        case 4: self = .forecast(try .init(from: &reader))
        case 5: self = .auto(try .init(from: &reader))
        case 6: self = .gaussianForward(try .init(from: &reader))
        case 7: self = .gaussianDual(try .init(from: &reader))
        case 8: self = .forecast(try .init(from: &reader, long: true))
        case 9: self = .auto(try .init(from: &reader, long: true))
        case 10: self = .auto(try .init(from: &reader, long: true, lead: true))
        case let tag: throw StateDecodingError("unknown model tag \(tag)")
        }
    }
}
