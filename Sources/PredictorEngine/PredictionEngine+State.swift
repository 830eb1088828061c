import PredictorCore
import PredictorWire

extension PredictionEngine {
    /// The recovery answer for a stream without fast memory (never seen, reset away or evicted): the prior
    /// prediction of the model it would be routed to, n = 0 and no seq, without creating a context.
    func answerStateOfAbsentStream(_ stream: String, message: InboundMessage, into out: inout OutboundPrediction) throws(EngineDrop) {
        guard let model = modelForNewStream(stream) else {
            throw EngineDrop(
                reason: "unknown_stream",
                message: "stream '\(stream)' matches no model's 'match' prefix; add a model whose match is a prefix of it (or \"\" for all)")
        }
        let context = StreamContext(model: model, predictor: learning.makePredictor(models[model]), lastActive: 0)
        out.stream = stream
        out.model = models[model].kind
        out.ts = message.ts
        out.seq = nil
        out.isState = true
        out.prediction.dof = .nan
        out.prediction.leader = -1
        out.prediction.leaderWeight = .nan
        out.prediction.horizonMean.removeAll(keepingCapacity: true)
        out.prediction.horizonVariance.removeAll(keepingCapacity: true)
        context.predictor.currentPrediction(into: &out.prediction)
        Self.fillIntervals(&out.prediction, context: context, model: models[model])
    }
}
