import PredictorCore

/// One context's predictor of any kind: enum dispatch keeps the hot path free of existential boxes, and each case
/// holds its predictor in a copy-on-write ``PredictorBox`` so the enum is one reference wide (a context's inline
/// size stays small and mutation never moves the payload).
public enum AnyPredictor: Sendable {
    case rls(PredictorBox<RLSPredictor>)
    case softmax(PredictorBox<SoftmaxPredictor>)
    case forward(PredictorBox<ForwardFilter>)
    case dual(PredictorBox<DualFilter>)
    case forecast(PredictorBox<SeriesForecaster>)
    case auto(PredictorBox<ForecastBank>)
    case gaussianForward(PredictorBox<GaussianForwardFilter>)
    case gaussianDual(PredictorBox<GaussianDualFilter>)

    /// A predictor of that kind in a new box.
    public static func rls(_ predictor: RLSPredictor) -> AnyPredictor { .rls(PredictorBox(predictor)) }
    public static func softmax(_ predictor: SoftmaxPredictor) -> AnyPredictor { .softmax(PredictorBox(predictor)) }
    public static func forward(_ predictor: ForwardFilter) -> AnyPredictor { .forward(PredictorBox(predictor)) }
    public static func dual(_ predictor: DualFilter) -> AnyPredictor { .dual(PredictorBox(predictor)) }
    public static func forecast(_ predictor: SeriesForecaster) -> AnyPredictor { .forecast(PredictorBox(predictor)) }
    public static func auto(_ predictor: ForecastBank) -> AnyPredictor { .auto(PredictorBox(predictor)) }
    public static func gaussianForward(_ predictor: GaussianForwardFilter) -> AnyPredictor { .gaussianForward(PredictorBox(predictor)) }
    public static func gaussianDual(_ predictor: GaussianDualFilter) -> AnyPredictor { .gaussianDual(PredictorBox(predictor)) }

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

    /// learn_one + predict_one on the wrapped predictor.
    ///
    /// `consume self` takes the box out without a retain, so it is uniquely referenced unless a snapshot shares it
    /// (then ``PredictorBox/unique(_:)`` copies it once); `self` is re-initialised on every path, including a throw.
    public mutating func observe(_ observation: Observation, into prediction: inout Prediction) throws(ObservationError) {
        switch consume self {
        case var .rls(b): defer { self = .rls(b) }; try PredictorBox.unique(&b).value.observe(observation, into: &prediction)
        case var .softmax(b): defer { self = .softmax(b) }; try PredictorBox.unique(&b).value.observe(observation, into: &prediction)
        case var .forward(b): defer { self = .forward(b) }; try PredictorBox.unique(&b).value.observe(observation, into: &prediction)
        case var .dual(b): defer { self = .dual(b) }; try PredictorBox.unique(&b).value.observe(observation, into: &prediction)
        case var .forecast(b): defer { self = .forecast(b) }; try PredictorBox.unique(&b).value.observe(observation, into: &prediction)
        case var .auto(b): defer { self = .auto(b) }; try PredictorBox.unique(&b).value.observe(observation, into: &prediction)
        case var .gaussianForward(b):
            defer { self = .gaussianForward(b) }; try PredictorBox.unique(&b).value.observe(observation, into: &prediction)
        case var .gaussianDual(b):
            defer { self = .gaussianDual(b) }; try PredictorBox.unique(&b).value.observe(observation, into: &prediction)
        }
    }

    /// predict_one for features `x` without learning.
    public func predict(query x: [Double], into prediction: inout Prediction) throws(ObservationError) {
        switch self {
        case let .rls(b): try b.value.predict(query: x, into: &prediction)
        case let .softmax(b): try b.value.predict(query: x, into: &prediction)
        case let .forward(b): try b.value.predict(query: x, into: &prediction)
        case let .dual(b): try b.value.predict(query: x, into: &prediction)
        case let .forecast(b): try b.value.predict(query: x, into: &prediction)
        case let .auto(b): try b.value.predict(query: x, into: &prediction)
        case let .gaussianForward(b): try b.value.predict(query: x, into: &prediction)
        case let .gaussianDual(b): try b.value.predict(query: x, into: &prediction)
        }
    }

    /// The prediction of the next observation from the current fast memory.
    public func currentPrediction(into prediction: inout Prediction) {
        switch self {
        case let .rls(b): b.value.currentPrediction(into: &prediction)
        case let .softmax(b): b.value.currentPrediction(into: &prediction)
        case let .forward(b): b.value.currentPrediction(into: &prediction)
        case let .dual(b): b.value.currentPrediction(into: &prediction)
        case let .forecast(b): b.value.currentPrediction(into: &prediction)
        case let .auto(b): b.value.currentPrediction(into: &prediction)
        case let .gaussianForward(b): b.value.currentPrediction(into: &prediction)
        case let .gaussianDual(b): b.value.currentPrediction(into: &prediction)
        }
    }

    /// Clears fast memory.
    public mutating func reset() {
        switch consume self {
        case var .rls(b): PredictorBox.unique(&b).value.reset(); self = .rls(b)
        case var .softmax(b): PredictorBox.unique(&b).value.reset(); self = .softmax(b)
        case var .forward(b): PredictorBox.unique(&b).value.reset(); self = .forward(b)
        case var .dual(b): PredictorBox.unique(&b).value.reset(); self = .dual(b)
        case var .forecast(b): PredictorBox.unique(&b).value.reset(); self = .forecast(b)
        case var .auto(b): PredictorBox.unique(&b).value.reset(); self = .auto(b)
        case var .gaussianForward(b): PredictorBox.unique(&b).value.reset(); self = .gaussianForward(b)
        case var .gaussianDual(b): PredictorBox.unique(&b).value.reset(); self = .gaussianDual(b)
        }
    }

    /// Puts a softmax predictor under `beta` in place when it differs (``SoftmaxPredictor/adopt(beta:)``, keeping its
    /// state); other kinds are unchanged.
    mutating func adoptSoftmax(beta: Double) {
        switch consume self {
        case var .softmax(b):
            if b.value.parameters.beta != beta { _ = PredictorBox.unique(&b).value.adopt(beta: beta) }
            self = .softmax(b)
        case let .rls(b): self = .rls(b)
        case let .forward(b): self = .forward(b)
        case let .dual(b): self = .dual(b)
        case let .forecast(b): self = .forecast(b)
        case let .auto(b): self = .auto(b)
        case let .gaussianForward(b): self = .gaussianForward(b)
        case let .gaussianDual(b): self = .gaussianDual(b)
        }
    }

    /// The exact bytes of the fast memory, for checkpoints (decoded by ``ModelSpec/restorePredictor(state:)``).
    public func encodedState() -> [UInt8] {
        var writer = ByteWriter()
        switch self {
        case let .rls(b): b.value.state.encode(to: &writer)
        case let .softmax(b): b.value.state.encode(to: &writer)
        case let .forward(b): b.value.state.encode(to: &writer)
        case let .dual(b): b.value.state.encode(to: &writer)
        case let .forecast(b): b.value.state.encode(to: &writer)
        case let .auto(b): b.value.state.encode(to: &writer)
        case let .gaussianForward(b): b.value.state.encode(to: &writer)
        case let .gaussianDual(b): b.value.state.encode(to: &writer)
        }
        return writer.bytes
    }
}
