import PredictorCore

/// A context's part in its HMM model's learning: its segment collector and which publication of the learned
/// parameters its filter uses (fast memory, kept by ``EMLearning`` next to the context).
public struct HMMContextLearning<Element: SegmentElement>: Sendable, Equatable {
    /// Cuts the context's observations into segments; nil while the context does not contribute (it was already
    /// running when its model started learning, so its first segment would teach μ wrongly) until its next reset.
    public var collector: SegmentCollector<Element>?
    /// ``EMModelLearner/serial`` of the learner whose parameters the filter uses.
    public var learner: Int
    /// ``EMModelLearner/publications`` at the time the filter took them.
    public var publication: Int

    public init(collector: SegmentCollector<Element>?, learner: Int, publication: Int) {
        self.collector = collector
        self.learner = learner
        self.publication = publication
    }
}
