/// Stepwise online EM for one family of HMMs (symbol emissions: ``HMMLearner``; Gaussian: ``GaussianHMMLearner``):
/// what the engine's learning plumbing needs, so one generic implementation serves both families.
public protocol OnlineHMMLearner: Sendable, Equatable, BinaryCodable {
    /// The model learned (A, μ and the emission parameters).
    associatedtype Parameters: Sendable, Equatable, BinaryCodable
    /// One observation of a segment.
    associatedtype Element: SegmentElement

    /// Starts from the configured model, worth one segment of `segmentLength` observations; throws naming the key.
    init(initial model: Parameters, offset: Double, exponent: Double, segmentLength: Int) throws(ParameterError)
    /// Step-size offset k₀ and exponent κ of η_k = (k + k₀)^(−κ).
    var offset: Double { get }
    var exponent: Double { get }
    /// Segments absorbed, and those that started a context (μ's own counter).
    var contributions: Int { get }
    var contexts: Int { get }
    /// E-step on the segment under `parameters`, then the blend; false, changing nothing, when it cannot be absorbed.
    mutating func absorb(_ segment: ObservationSegment<Element>, using parameters: Parameters) -> Bool
    /// The M-step, every row of A and μ mixed with the uniform row at weight ε/(1 + ε).
    func parameters(smoothing epsilon: Double) throws(ParameterError) -> Parameters
    /// Whether this learner (and its contexts' segments) can continue under `model` (same shapes, same values).
    func fits(_ model: Parameters) -> Bool

    /// μ of a model: where a new context's segment starts.
    static func initialMeasure(of model: Parameters) -> [Double]
    /// Whether a model can emit the observation (restored segments are checked against it).
    static func accepts(_ observation: Element, under model: Parameters) -> Bool
    /// Largest absolute difference between two models' entries (∞ if their shapes differ): what counts as a move.
    static func materialChange(from old: Parameters, to new: Parameters) -> Double
    /// The model's learned entries by configuration key (`transition`, `emission` or `means`, …), for reports.
    static func entries(of model: Parameters) -> [(key: String, values: [Double])]
}
