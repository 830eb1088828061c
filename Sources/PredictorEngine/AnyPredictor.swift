import PredictorCore

/// One context's predictor of any kind: enum dispatch keeps the hot path free of existential boxes.
public enum AnyPredictor: Sendable {
    case rls(RLSPredictor)
    case softmax(SoftmaxPredictor)
    case forward(ForwardFilter)
    case dual(DualFilter)

    public var kind: String {
        switch self {
        case .rls: RLSPredictor.kind
        case .softmax: SoftmaxPredictor.kind
        case .forward: ForwardFilter.kind
        case .dual: DualFilter.kind
        }
    }

    /// learn_one + predict_one on the wrapped predictor.
    ///
    /// `consume self` moves the payload out (no copy, no retain), so it stays uniquely referenced and its arrays
    /// are updated in place; `self` is re-initialised on every path, including a thrown error.
    public mutating func observe(_ observation: Observation, into prediction: inout Prediction) throws(ObservationError) {
        switch consume self {
        case var .rls(p): defer { self = .rls(p) }; try p.observe(observation, into: &prediction)
        case var .softmax(p): defer { self = .softmax(p) }; try p.observe(observation, into: &prediction)
        case var .forward(p): defer { self = .forward(p) }; try p.observe(observation, into: &prediction)
        case var .dual(p): defer { self = .dual(p) }; try p.observe(observation, into: &prediction)
        }
    }

    /// predict_one for features `x` without learning.
    public func predict(query x: [Double], into prediction: inout Prediction) throws(ObservationError) {
        switch self {
        case let .rls(p): try p.predict(query: x, into: &prediction)
        case let .softmax(p): try p.predict(query: x, into: &prediction)
        case let .forward(p): try p.predict(query: x, into: &prediction)
        case let .dual(p): try p.predict(query: x, into: &prediction)
        }
    }

    /// The prediction of the next observation from the current fast memory.
    public func currentPrediction(into prediction: inout Prediction) {
        switch self {
        case let .rls(p): p.currentPrediction(into: &prediction)
        case let .softmax(p): p.currentPrediction(into: &prediction)
        case let .forward(p): p.currentPrediction(into: &prediction)
        case let .dual(p): p.currentPrediction(into: &prediction)
        }
    }

    /// Clears fast memory.
    public mutating func reset() {
        switch consume self {
        case var .rls(p): p.reset(); self = .rls(p)
        case var .softmax(p): p.reset(); self = .softmax(p)
        case var .forward(p): p.reset(); self = .forward(p)
        case var .dual(p): p.reset(); self = .dual(p)
        }
    }

    /// The exact bytes of the fast memory, for checkpoints (decoded by ``ModelSpec/restorePredictor(state:)``).
    public func encodedState() -> [UInt8] {
        var writer = ByteWriter()
        switch self {
        case let .rls(p): p.state.encode(to: &writer)
        case let .softmax(p): p.state.encode(to: &writer)
        case let .forward(p): p.state.encode(to: &writer)
        case let .dual(p): p.state.encode(to: &writer)
        }
        return writer.bytes
    }
}
