/// One observation of a context, already decoded from the wire: what a predictor learns from.
///
/// Queries (features without a target) are not observations: they go to ``OnlinePredictor/predict(query:into:)``.
public enum Observation: Sendable, Equatable {
    /// A real-valued series value `y` (q components); autoregressive models build their features from past values.
    case series([Double])
    /// A labelled pair: features `x` (p components) and target `y` (q components).
    case labelled(x: [Double], y: [Double])
    /// A symbol `z` in 0..<m of a discrete (hidden Markov) stream.
    case symbol(Int)

    /// Short name used in error messages and counters.
    public var kindName: String {
        switch self {
        case .series: "series"
        case .labelled: "labelled"
        case .symbol: "symbol"
        }
    }
}
