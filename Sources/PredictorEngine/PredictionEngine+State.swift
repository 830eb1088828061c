import PredictorCore
import PredictorWire

extension PredictionEngine {
    /// The recovery answer for a stream without fast memory (never seen, reset away or evicted): the prior
    /// prediction of the model it would be routed to, n = 0 and no seq, without creating a context.
    func answerStateOfAbsentStream(_ stream: String, message: InboundMessage, into out: inout OutboundPrediction) throws(EngineDrop) {
        let model = try modelForNewStream(stream)
        let context = StreamContext(model: model, predictor: learning.makePredictor(models[model]), lastActive: 0)
        out.begin(stream: stream, model: models[model].kind, ts: message.ts, isState: true)
        out.seq = nil
        context.predictor.currentPrediction(into: &out.prediction)
        Self.fillIntervals(&out.prediction, context: context, model: models[model])
    }
}
