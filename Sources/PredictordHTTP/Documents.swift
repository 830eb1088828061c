import PredictorWire
import PredictordTelemetry

/// The JSON documents of the endpoint: `/api/overview` (models and largest errors, for the live page),
/// `/streams/<id>`, and the SSE points.
enum Documents {
    static func overview(_ s: TelemetrySnapshot) -> String {
        var quality: [String: (mse: Double?, logLoss: Double?, coverage: Double?)] = [:]
        for (index, name) in s.modelNames.enumerated() where index < s.counters.models.count {
            let q = s.counters.models[index].recent
            quality[name] = (q.meanSquaredError, q.logLoss, q.coverage)
        }
        let models = s.models.map { m in
            JSONText.object([
                ("name", JSONText.string(m.name)), ("kind", JSONText.string(m.kind)), ("match", JSONText.string(m.match)),
                ("configuration", JSONText.array(m.configuration.map(JSONText.string))),
                ("learned", JSONText.array(m.learned.map(JSONText.string))),
                ("mse", JSONText.number(quality[m.name]?.mse ?? nil)),
                ("log_loss", JSONText.number(quality[m.name]?.logLoss ?? nil)),
                ("interval_coverage", JSONText.number(quality[m.name]?.coverage ?? nil)),
            ])
        }
        let errors = s.largestErrors.map { e in
            JSONText.object([("stream", JSONText.string(e.stream)), ("model", JSONText.string(e.model)),
                             ("z", JSONText.number(e.standardizedError))])
        }
        return JSONText.object([
            ("time", JSONText.number(s.time)), ("contexts", "\(s.contexts)"),
            ("observations", "\(s.counters.observations)"), ("predictions", "\(s.counters.predictions)"),
            ("models", JSONText.array(models)), ("largest_errors", JSONText.array(errors)),
        ])
    }

    static func status(_ s: StreamStatus) -> String {
        var wire: [UInt8] = []
        let prediction = (try? WireEncoder.prediction(s.prediction, encoding: .json, into: &wire)) != nil
            ? String(decoding: wire, as: UTF8.self) : "null"
        return JSONText.object([
            ("stream", JSONText.string(s.stream)), ("model", JSONText.string(s.model)), ("n", "\(s.count)"),
            ("last_seq", s.lastSeq.map { "\($0)" } ?? "null"), ("prediction", prediction),
        ])
    }

    static func point(_ p: StreamPoint) -> String {
        JSONText.object([
            ("i", "\(p.index)"), ("seq", p.seq.map { "\($0)" } ?? "null"), ("y", JSONText.number(p.y)),
            ("mean", JSONText.number(p.mean)), ("lo", JSONText.number(p.lower)), ("hi", JSONText.number(p.upper)),
        ])
    }
}
