import PredictorCore

/// Slow memory of one HMM model with `learn: true`: the online-EM learner, its running estimate (the parameters
/// each new segment is smoothed under) and the published parameters every context of the model filters with.
/// Generic over the emission family (``HMMModelLearner``: A, C, μ; ``GaussianHMMModelLearner``: A, μ, means, variances).
///
/// The estimate moves after every absorbed segment; it is published every `refreshInterval` segments, so contexts
/// switch parameters at a bounded rate (math.md §4, "Learning across contexts").
public struct EMModelLearner<Learner: OnlineHMMLearner>: Sendable, Equatable {
    /// The stepwise online-EM state (running expected statistics, segments and context starts absorbed).
    public private(set) var learner: Learner
    /// The parameters contexts use: the estimate at the last publication (the configured model before the first).
    public private(set) var published: Learner.Parameters
    /// Publications so far (0: contexts still use the configured model).
    public private(set) var publications: Int
    /// Segments absorbed since the last publication.
    public private(set) var sinceRefresh: Int
    /// Identifies this learner among the engine's learners, so contexts notice when a model's learner was replaced.
    public let serial: Int
    /// ε of the M-step (`learn_smoothing`).
    public let smoothing: Double
    /// Segments between publications (`learn_refresh`).
    public let refreshInterval: Int
    /// θ(S): the M-step of the current counts, derived from `learner` (recomputed, never saved).
    public private(set) var estimate: Learner.Parameters

    /// A learner starting from the configured model; throws, naming the `learn_*` key, on invalid options.
    public init(model: Learner.Parameters, options: LearningOptions, serial: Int) throws(ParameterError) {
        guard options.refreshInterval >= 1 else {
            throw ParameterError("learn_refresh", "must be an integer ≥ 1 (segments between publications), got \(options.refreshInterval)")
        }
        learner = try Learner(initial: model, offset: options.stepOffset, exponent: options.stepExponent,
                                 segmentLength: options.segmentLength)
        estimate = try learner.parameters(smoothing: options.smoothing)
        published = model
        publications = 0
        sinceRefresh = 0
        self.serial = serial
        smoothing = options.smoothing
        refreshInterval = options.refreshInterval
    }

    /// Contexts and a saved learner fit a model when the shapes (and the symbol values) agree.
    public func fits(_ model: Learner.Parameters) -> Bool { learner.fits(model) }

    /// Whether a restored learner continues under `options` (same step-size schedule; ε and refresh must match too).
    public func continues(under options: LearningOptions) -> Bool {
        learner.offset == options.stepOffset && learner.exponent == options.stepExponent
            && smoothing == options.smoothing && refreshInterval == options.refreshInterval
    }

    /// E-step on `segment` under the estimate, blend, M-step; publishes every `refreshInterval` segments.
    /// Returns false, changing nothing, when the segment cannot be absorbed (probability 0 under the estimate).
    @discardableResult
    public mutating func absorb(_ segment: ObservationSegment<Learner.Element>) -> Bool {
        var next = learner
        guard next.absorb(segment, using: estimate), let updated = try? next.parameters(smoothing: smoothing) else {
            return false
        }
        learner = next
        estimate = updated
        sinceRefresh += 1
        if sinceRefresh >= refreshInterval {
            published = updated
            publications += 1
            sinceRefresh = 0
        }
        return true
    }
}

/// Learned A, C, μ of a symbol HMM.
public typealias HMMModelLearner = EMModelLearner<HMMLearner>
/// Learned A, μ, means and variances of a Gaussian-emission HMM.
public typealias GaussianHMMModelLearner = EMModelLearner<GaussianHMMLearner>

extension EMModelLearner: BinaryCodable {
    public func encode(to writer: inout ByteWriter) {
        writer.write(serial)
        writer.write(smoothing)
        writer.write(refreshInterval)
        writer.write(publications)
        writer.write(sinceRefresh)
        learner.encode(to: &writer)
        published.encode(to: &writer)
    }

    /// Decodes and re-validates; the estimate is recomputed from the counts (the same M-step, so bit-identical).
    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        serial = try reader.readInt()
        smoothing = try reader.readDouble()
        refreshInterval = try reader.readInt()
        publications = try reader.readInt()
        sinceRefresh = try reader.readInt()
        // Counters far below Int.max, so counting on cannot overflow (a corrupt checkpoint must not trap later).
        let plausible = 0..<(Int.max / 4)
        guard serial >= 1, plausible.contains(serial), plausible.contains(publications), refreshInterval >= 1,
              sinceRefresh >= 0, sinceRefresh < refreshInterval else {
            throw StateDecodingError("HMM model learner counters (refresh \(refreshInterval), publications \(publications), pending \(sinceRefresh)) inconsistent")
        }
        learner = try Learner(from: &reader)
        guard plausible.contains(learner.contributions) else {
            throw StateDecodingError("HMM model learner has absorbed an implausible \(learner.contributions) segments")
        }
        published = try Learner.Parameters(from: &reader)
        guard learner.fits(published) else {
            throw StateDecodingError("HMM model learner publishes parameters of another shape than its learner's")
        }
        do {
            estimate = try learner.parameters(smoothing: smoothing)
        } catch {
            throw StateDecodingError("HMM model learner smoothing: \(error)")
        }
    }
}
