import PredictorCore

/// A context's part in its HMM model's learning: its segment collector and which publication of the learned
/// parameters its filter uses (fast memory, kept by ``HMMLearning`` next to the context).
public struct HMMContextLearning: Sendable, Equatable {
    /// Cuts the context's symbols into segments; nil while the context does not contribute (it was already running
    /// when its model started learning, so its first segment would teach μ wrongly) until its next reset.
    public var collector: HMMSegmentCollector?
    /// ``HMMModelLearner/serial`` of the learner whose parameters the filter uses.
    public var learner: Int
    /// ``HMMModelLearner/publications`` at the time the filter took them.
    public var publication: Int

    public init(collector: HMMSegmentCollector?, learner: Int, publication: Int) {
        self.collector = collector
        self.learner = learner
        self.publication = publication
    }
}
