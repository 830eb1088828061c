import PredictorCore
import PredictorWire

extension PredictionEngine {
    /// What `stream` would publish now (its forecast of the next value, with intervals), its model and bookkeeping;
    /// nil for a stream without a live context. Read-only: the context is not touched.
    public func status(of stream: String) -> (model: ModelDefinition, context: StreamContext, prediction: OutboundPrediction)? {
        guard let context = contexts[StreamKey(stream)] else { return nil }
        let model = models[context.model]
        var out = OutboundPrediction(stream: stream, model: model.kind, seq: context.lastSeq.map { $0 &+ 1 }, prediction: Prediction())
        context.predictor.currentPrediction(into: &out.prediction)
        switch out.prediction.kind {
        case .real: out.prediction.fillIntervals(model.intervals)
        case .symbol: out.prediction.fillIntervals(model.intervals, values: model.values, order: model.valueOrder)
        }
        return (model, context, out)
    }
}
