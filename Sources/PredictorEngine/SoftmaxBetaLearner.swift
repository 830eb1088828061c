import PredictorCore
import RealModule

/// Slow memory of a softmax model with `learn: true`: β tuned across all its contexts by online gradient descent
/// on the prequential squared error, in log β so β stays positive (math.md, "Tuning β across streams").
///
/// Step k moves log β by −η_k g / √v with g = ∂(½‖e‖²)/∂log β of the k-th scored observation, v a running mean of
/// g² (scale-free steps) and η_k = rate / √(1 + k/100); every `refreshInterval` steps the estimate is published.
public struct SoftmaxBetaLearner: Sendable, Equatable {
    /// The estimate of log β.
    public private(set) var logBeta: Double
    /// The β contexts use: the estimate at the last publication (the configured β before the first).
    public private(set) var published: Double
    /// Publications so far.
    public private(set) var publications: Int
    /// Steps since the last publication.
    public private(set) var sinceRefresh: Int
    /// Gradient steps taken (k).
    public private(set) var steps: Int
    /// Contexts that contributed at least one step (each context lifetime counts once; a reset starts a new one).
    public private(set) var contexts: Int
    /// Running mean of g², the step normaliser.
    public private(set) var meanSquare: Double
    /// Base step size (`learn_rate`).
    public let rate: Double
    /// Steps between publications (`learn_refresh`).
    public let refreshInterval: Int

    public static let defaultRate = 0.05
    /// log β stays in [−bound, bound] (β in about [1e-9, 1e9]).
    static let logBound = 20.0

    /// Starts from the configured β; throws, naming the key, on invalid options.
    public init(beta: Double, options: LearningOptions) throws(ParameterError) {
        guard options.betaRate.isFinite, options.betaRate > 0, options.betaRate <= 1 else {
            throw ParameterError("learn_rate", "must be a number in (0, 1], got \(options.betaRate)")
        }
        guard options.refreshInterval >= 1 else {
            throw ParameterError("learn_refresh", "must be an integer ≥ 1 (steps between publications), got \(options.refreshInterval)")
        }
        logBeta = Double.log(beta)
        published = beta
        publications = 0
        sinceRefresh = 0
        steps = 0
        contexts = 0
        meanSquare = 0
        rate = options.betaRate
        refreshInterval = options.refreshInterval
    }

    /// Whether a saved learner continues under `options`.
    public func continues(under options: LearningOptions) -> Bool {
        rate == options.betaRate && refreshInterval == options.refreshInterval
    }

    /// One gradient step with g = ∂(½‖e‖²)/∂log β; `newContext` counts a context's first contribution.
    /// A non-finite g is ignored.
    mutating func step(gradient g: Double, newContext: Bool) {
        guard g.isFinite else { return }
        if newContext { contexts += 1 }
        steps += 1
        meanSquare = steps == 1 ? g * g : 0.99 * meanSquare + 0.01 * g * g
        if meanSquare > 0, meanSquare.isFinite {
            let eta = rate / (1 + Double(steps) / 100).squareRoot()
            let move = max(-1, min(1, eta * g / meanSquare.squareRoot()))
            logBeta = max(-Self.logBound, min(Self.logBound, logBeta - move))
        }
        sinceRefresh += 1
        if sinceRefresh >= refreshInterval {
            published = Double.exp(logBeta)
            publications += 1
            sinceRefresh = 0
        }
    }
}

extension SoftmaxBetaLearner: BinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.write(rate)
        writer.write(refreshInterval)
        writer.write(logBeta)
        writer.write(published)
        writer.write(publications)
        writer.write(sinceRefresh)
        writer.write(steps)
        writer.write(contexts)
        writer.write(meanSquare)
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        rate = try reader.readDouble()
        refreshInterval = try reader.readInt()
        logBeta = try reader.readDouble()
        published = try reader.readDouble()
        publications = try reader.readInt()
        sinceRefresh = try reader.readInt()
        steps = try reader.readInt()
        contexts = try reader.readInt()
        meanSquare = try reader.readDouble()
        let plausible = 0..<(Int.max / 4)
        guard rate.isFinite, rate > 0, rate <= 1, refreshInterval >= 1, sinceRefresh >= 0, sinceRefresh < refreshInterval,
              plausible.contains(publications), plausible.contains(steps), plausible.contains(contexts),
              abs(logBeta) <= Self.logBound, published.isFinite, published > 0, meanSquare.isFinite, meanSquare >= 0
        else { throw StateDecodingError("softmax β learner state out of range") }
    }
}
