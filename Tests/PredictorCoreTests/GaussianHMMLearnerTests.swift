import Foundation
import Testing
@testable import PredictorCore

/// Online EM for Gaussian emissions against batch Baum–Welch (hmmlearn's `GaussianHMM.fit`, run by the test).
@Suite struct GaussianHMMLearnerTests {
    static let truth = try! GaussianHMMParameters(transition: [0.95, 0.05, 0.1, 0.9], initial: [0.5, 0.5],
                                                  means: [-1, 2], variances: [0.5, 2])
    static let start = try! GaussianHMMParameters(transition: [0.8, 0.2, 0.2, 0.8], initial: [0.5, 0.5],
                                                  means: [-0.5, 1], variances: [1, 1])

    static func heldOutLogLikelihood(_ h: GaussianHMMParameters, _ sequences: [[Double]]) throws -> Double {
        var total = 0.0
        for sequence in sequences {
            var filter = GaussianForwardFilter(parameters: h)
            var p = Prediction()
            for y in sequence { try filter.observe(.series([y]), into: &p) }
            total += filter.logLikelihood
        }
        return total
    }

    @Test func onlineEMReachesBatchBaumWelchOnHeldOutData() throws {
        let streams = (0..<50).map { GaussianHMMTests.sample(Self.truth, count: 250, seed: 1000 + UInt64($0)).map { abs($0) == 60 ? 0 : $0 } }
        let train = Array(streams[..<40]), heldout = Array(streams[40...])
        // Online: each stream in segments of 50, each smoothed from the stream's own filter state at its start.
        var learner = try GaussianHMMLearner(initial: Self.start, segmentLength: 50)
        var estimate = Self.start
        for sequence in train {
            var filter = GaussianForwardFilter(parameters: estimate)
            var p = Prediction()
            for k in stride(from: 0, to: sequence.count, by: 50) {
                let segment = Array(sequence[k..<min(k + 50, sequence.count)])
                let begin = k == 0 ? nil : filter.state.predictive
                let absorbed = learner.absorb(segment, start: begin, using: estimate)
                #expect(absorbed)
                for y in segment { try filter.observe(.series([y]), into: &p) }
                estimate = try learner.parameters()
                filter = try GaussianForwardFilter(parameters: estimate, state: filter.state)
            }
        }
        let request: [String: Any] = ["transition": Self.start.transition, "initial": Self.start.initial,
                                      "means": Self.start.means, "variances": Self.start.variances,
                                      "train": train, "heldout": heldout, "y": [Double](), "levels": [Double]()]
        let batch = try GaussianHMMTests.hmmlearnRequest(request)
        let reference = batch["heldout_loglik"] as! Double
        let online = try Self.heldOutLogLikelihood(estimate, heldout)
        let initial = try Self.heldOutLogLikelihood(Self.start, heldout)
        print("held-out log-likelihood: online EM \(online), batch Baum–Welch \(reference), start \(initial); online means \(estimate.means), variances \(estimate.variances); batch \(batch["means"]!) \(batch["variances"]!) after \(batch["iterations"]!) iterations")
        #expect(abs(online - reference) <= 0.01 * abs(reference), "online \(online) vs batch \(reference)")
        #expect(initial < reference - 0.05 * abs(reference), "the start model is already good: the test would prove nothing")
    }
}
