import PredictorCore

/// A configured model: its name, the stream-id prefix it serves, and its slow memory.
public struct ModelDefinition: Sendable, Equatable {
    /// Unique name (the key under `model.` in the configuration).
    public var name: String
    /// Streams whose id starts with this prefix use this model; the longest matching prefix wins ("" matches all).
    public var match: String
    public var spec: ModelSpec {
        didSet {
            kind = spec.kind
            (values, valueOrder) = Self.symbolValues(of: spec)
        }
    }
    /// `spec.kind`, stored: the engine names the model in every prediction, and reading `spec` from the model
    /// array copied the whole spec (retaining its parameter arrays) per message.
    public private(set) var kind: String
    /// Whether and how the slow memory learns from this model's contexts.
    public var learning: LearningOptions
    /// The central predictive intervals its predictions carry (config `intervals`, default 0.9).
    public var intervals: IntervalLevels
    /// Steps ahead published (`horizon`, 1 = next only): used by the HMM kinds here; forecasters carry their own.
    public var horizon: Int = 1
    /// Symbol models: the symbols in increasing order of value, for the interval of value(Z); empty otherwise.
    package private(set) var valueOrder: [Int]
    /// Symbol models: value(z) per symbol; empty otherwise.
    package private(set) var values: [Double]

    public init(
        name: String, match: String, spec: ModelSpec, learning: LearningOptions = .off, intervals: IntervalLevels = .standard
    ) {
        self.name = name
        self.match = match
        self.spec = spec
        self.kind = spec.kind
        self.learning = learning
        self.intervals = intervals
        (values, valueOrder) = Self.symbolValues(of: spec)
    }

    /// value(z) per symbol and the symbols by increasing value (both empty for real-valued models).
    private static func symbolValues(of spec: ModelSpec) -> (values: [Double], order: [Int]) {
        let values = spec.symbolValues
        return (values, values.indices.sorted { values[$0] < values[$1] })
    }
}
