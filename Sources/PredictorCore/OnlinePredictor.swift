/// The two verbs every predictor speaks (River's `learn_one`/`predict_one`), over a slow/fast memory split.
///
/// A predictor is a value: `parameters` (slow memory, shared by a model's contexts) plus `state`
/// (fast memory, owned by one context). Methods never allocate on the per-step path once the
/// `Prediction` buffer has its size, and a thrown error leaves the state unchanged.
public protocol OnlinePredictor: Sendable {
    /// Slow memory: validated model parameters.
    associatedtype Parameters: Sendable, Equatable, BinaryCodable
    /// Fast memory: the per-context state; encodes exactly for checkpoints.
    associatedtype State: Sendable, Equatable, BinaryCodable

    /// Model kind as used on the wire (`rls`, `softmax`, `forward`, `dual`).
    static var kind: String { get }

    /// A fresh context (empty fast memory).
    init(parameters: Parameters)
    /// Resumes a context from a checkpointed state; throws if the state does not fit the parameters' shapes.
    init(parameters: Parameters, state: State) throws(StateDecodingError)

    var parameters: Parameters { get }
    var state: State { get }

    /// learn_one then predict_one: absorbs `observation` and writes the prediction of the next observation.
    mutating func observe(_ observation: Observation, into prediction: inout Prediction) throws(ObservationError)
    /// predict_one without learning: the prediction for features `x` given the context so far.
    func predict(query x: [Double], into prediction: inout Prediction) throws(ObservationError)
    /// The prediction of the next observation given the context so far, without learning (e.g. after a reset).
    func currentPrediction(into prediction: inout Prediction)
    /// Clears fast memory (slow memory stays).
    mutating func reset()
}
