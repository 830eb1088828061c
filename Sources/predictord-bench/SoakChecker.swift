import PredictorCore
import PredictorEngine
import PredictorWire
import ZeroMQ

/// What the soak's checker found: every prediction compared bit for bit with the engine's (as `replay` computes it)
/// on exactly the observations the daemon predicted, stream by stream.
struct SoakCheckResult: Sendable {
    /// Predictions equal to the oracle's, byte for byte.
    var matched = 0
    /// Accepted observations whose prediction never arrived: the daemon's `n` ran ahead of the oracle's.
    var lostAccepted = 0
    /// Predictions that differ otherwise (values, or `n` behind), and repeated or reordered ones.
    var mismatched = 0
    var outOfOrder = 0
    /// Streams no longer checked after their first discrepancy (the oracle cannot resynchronise).
    var failedStreams = 0
    /// Observations absorbed (journaled) just before a kill -9 whose predictions died with the daemon: the next
    /// prediction's `n` says how many, and the oracle absorbs them too. Allowed only across a kill.
    var absorbedUnsent = 0
    /// The first few discrepancies, for the report.
    var examples: [String] = []
    var failure: String?

    var clean: Bool { lostAccepted == 0 && mismatched == 0 && outOfOrder == 0 && failure == nil }

    mutating func note(_ text: String) { if examples.count < 5 { examples.append(text) } }
}

enum SoakChecker {
    /// SUB on `endpoint` until `stopChecker`: each `s/` prediction is recomputed by a local engine with `models`
    /// from the regenerated observation (seq − 1) and compared; `w/` probe predictions raise `probeSeen`.
    static func run(context: ZMQContext, endpoint: String, models: [ModelDefinition], streams: Int, shared: SoakShared) -> SoakCheckResult {
        var result = SoakCheckResult()
        do {
            let socket = try ZMQSocket(context: context, type: .sub)
            try socket.setReceiveHighWaterMark(0)
            try socket.subscribe(prefix: "")
            try socket.connect(endpoint)
            try socket.setReceiveTimeout(.milliseconds(100))
            var oracle = PredictionEngine(models: models)
            var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
            var expected: [UInt8] = []
            var lastSeq = [UInt64](repeating: 0, count: streams)
            var failed = [Bool](repeating: false, count: streams)
            // Per stream: the oracle's n after its last prediction, and the kill count when it came.
            var oracleN = [Int](repeating: 0, count: streams)
            var epoch = [Int](repeating: 0, count: streams)
            while !shared.stopChecker.load(ordering: .acquiring) {
                guard let frames = try socket.receive(), frames.count == 2 else { continue }
                let topic = frames[0], payload = frames[1]
                guard let k = SoakTraffic.stream(ofTopic: topic), k < streams else {
                    if topic.starts(with: SoakPublisher.probeTopic.prefix(2)) {
                        shared.probeSeen.store(shared.probeRequest.load(ordering: .acquiring), ordering: .releasing)
                    }
                    continue
                }
                shared.received.add(1, ordering: .relaxed)
                guard !failed[k] else { continue }
                let stream = String(decoding: topic, as: UTF8.self)
                let got: OutboundPrediction
                do { got = try WireDecoder.prediction(payload, stream: stream) } catch {
                    result.mismatched += 1
                    result.note("\(stream): undecodable prediction: \(error)")
                    failed[k] = true
                    continue
                }
                guard let predicted = got.seq, predicted >= 2, predicted - 1 > lastSeq[k] else {
                    result.outOfOrder += 1
                    result.note("\(stream): prediction seq \(String(describing: got.seq)) after \(lastSeq[k] + 1)")
                    failed[k] = true
                    continue
                }
                // Across a kill -9 the daemon may have absorbed (journaled) the observations after the last prediction
                // that arrived, their predictions dying with it: its n says how many; the oracle absorbs the same ones.
                let kills = shared.kills.load(ordering: .acquiring)
                let ahead = got.prediction.count - oracleN[k] - 1
                if kills > epoch[k], ahead > 0, UInt64(ahead) < predicted - 1 - lastSeq[k] {
                    do {
                        for seq in (lastSeq[k] + 1)...(lastSeq[k] + UInt64(ahead)) {
                            try oracle.process(stream: stream, message: SoakTraffic.message(stream: k, seq: seq), now: 0, into: &out)
                        }
                        result.absorbedUnsent += ahead
                    } catch {
                        result.mismatched += 1
                        result.note("\(stream): the oracle refused a catch-up observation: \(error)")
                        failed[k] = true
                        continue
                    }
                }
                epoch[k] = kills
                lastSeq[k] = predicted - 1
                do {
                    try oracle.process(stream: stream, message: SoakTraffic.message(stream: k, seq: predicted - 1), now: 0, into: &out)
                    try WireEncoder.prediction(out, encoding: .binary, into: &expected)
                } catch {
                    result.mismatched += 1
                    result.note("\(stream): the oracle refused seq \(predicted - 1): \(error)")
                    failed[k] = true
                    continue
                }
                oracleN[k] = out.prediction.count
                if expected == payload {
                    result.matched += 1
                } else if got.prediction.count > out.prediction.count {
                    result.lostAccepted += got.prediction.count - out.prediction.count
                    result.note("\(stream) seq \(predicted - 1): daemon n \(got.prediction.count), oracle n \(out.prediction.count): predictions of accepted observations missing")
                    failed[k] = true
                } else {
                    result.mismatched += 1
                    result.note("\(stream) seq \(predicted - 1): daemon \(got.prediction) vs oracle \(out.prediction)")
                    failed[k] = true
                }
            }
            result.failedStreams = failed.filter { $0 }.count
        } catch {
            result.failure = "checker: \(error)"
        }
        return result
    }
}
