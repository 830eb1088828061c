import Foundation
import PredictordConfig
import PredictorWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

enum Oracle {
    /// Runs `predictord replay` (the daemon's models) over `items`; returns its predictions in order.
    static func replay(_ items: [WorkItem], directory: URL) throws -> [ReplayedPrediction] {
        let input = directory.appendingPathComponent("replay-\(UUID().uuidString.prefix(8)).jsonl")
        var text: [UInt8] = []
        for item in items {
            text += try item.replayLine()
            text.append(UInt8(ascii: "\n"))
        }
        try Data(text).write(to: input)
        let config = directory.appendingPathComponent("replay-models.yaml")
        var models = DaemonConfiguration()
        models.models = TestDaemonConfig.modelDefinitions
        try ConfigurationRenderer.yaml(models).write(to: config, atomically: true, encoding: .utf8)
        let result = try Harness.runTool(["replay", "--config", config.path, input.path], in: directory)
        guard result.status == 0 else { throw HarnessError("replay failed (\(result.status)): \(result.stderr)") }
        return try Array(result.stdout).split(separator: UInt8(ascii: "\n")).map { raw in
            let line = Array(raw)
            guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let stream = object["stream"] as? String else {
                throw HarnessError("replay line without stream: \(String(decoding: line, as: UTF8.self))")
            }
            return ReplayedPrediction(stream: stream, line: line, decoded: try WireDecoder.prediction(line, stream: stream))
        }
    }

    /// Same bits, or both NaN (JSON cannot carry NaN payloads: it writes null or omits the field).
    static func same(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }
    static func same(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { same($0, $1) } }
    static func same(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case let (x?, y?): same(x, y)
        default: false
        }
    }

    /// The first difference between a received prediction and replay's, or nil when they agree exactly: JSON
    /// byte for byte (and field by field, bit for bit); binary decoded and compared bit for bit with replay's values.
    static func difference(_ got: ReceivedPrediction, _ want: ReplayedPrediction) -> String? {
        let decoded: OutboundPrediction
        do { decoded = try WireDecoder.prediction(got.payload, stream: got.stream) } catch {
            return "undecodable prediction: \(error)"
        }
        let w = want.decoded, g = decoded, gp = g.prediction, wp = w.prediction
        var problems: [String] = []
        if g.seq != w.seq { problems.append("seq \(String(describing: g.seq)) vs \(String(describing: w.seq))") }
        if !same(g.ts, w.ts) { problems.append("ts \(String(describing: g.ts)) vs \(String(describing: w.ts))") }
        if gp.kind != wp.kind { problems.append("kind \(gp.kind) vs \(wp.kind)") }
        if gp.count != wp.count { problems.append("n \(gp.count) vs \(wp.count)") }
        if !same(gp.mean, wp.mean) { problems.append("mean \(gp.mean) vs \(wp.mean)") }
        if !same(gp.probabilities, wp.probabilities) { problems.append("probs \(gp.probabilities) vs \(wp.probabilities)") }
        if !same(gp.surprise, wp.surprise) { problems.append("surprise \(gp.surprise) vs \(wp.surprise)") }
        if gp.kind == .real {
            if !same(gp.variance, wp.variance) { problems.append("var \(gp.variance) vs \(wp.variance)") }
            if !same(gp.error, wp.error) { problems.append("error \(gp.error) vs \(wp.error)") }
        }
        if got.payload.first == UInt8(ascii: "{") {
            if g.model != w.model { problems.append("model \(g.model) vs \(w.model)") }
            if gp.kind == .symbol, !same(gp.variance, wp.variance) { problems.append("var \(gp.variance) vs \(wp.variance)") }
            if got.payload != want.line {
                problems.append("JSON bytes differ:\n  daemon: \(String(decoding: got.payload, as: UTF8.self))\n  replay: \(String(decoding: want.line, as: UTF8.self))")
            }
        } else if g.model != "" {
            problems.append("binary prediction decoded with model '\(g.model)'")
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    /// Checks that `received` equals `expected` stream by stream: same count, same order, every value equal.
    /// `encodings` says which encoding each stream was sent in (its predictions must come back in it).
    static func compare(received: [ReceivedPrediction], expected: [ReplayedPrediction],
                        encodings: [String: WireEncoding], sourceLocation: SourceLocation = #_sourceLocation) {
        let got = Dictionary(grouping: received, by: \.stream)
        let want = Dictionary(grouping: expected, by: \.stream)
        #expect(received.count == expected.count, "daemon published \(received.count) predictions, replay \(expected.count)",
                sourceLocation: sourceLocation)
        #expect(Set(got.keys) == Set(want.keys), "streams differ: daemon \(got.keys.sorted()), replay \(want.keys.sorted())",
                sourceLocation: sourceLocation)
        var reported = 0
        for stream in want.keys.sorted() {
            let g = got[stream] ?? [], w = want[stream]!
            if g.count != w.count {
                Issue.record("stream \(stream): daemon published \(g.count) predictions, replay \(w.count)", sourceLocation: sourceLocation)
            }
            for (index, (a, b)) in zip(g, w).enumerated() {
                if let encoding = encodings[stream] {
                    let first: UInt8 = encoding == .json ? UInt8(ascii: "{") : 1
                    if a.payload.first != first {
                        Issue.record("stream \(stream) #\(index): prediction not in the observation's encoding (\(encoding))", sourceLocation: sourceLocation)
                    }
                }
                if let problem = difference(a, b) {
                    reported += 1
                    if reported <= 8 { Issue.record("stream \(stream) prediction #\(index): \(problem)", sourceLocation: sourceLocation) }
                }
            }
        }
        if reported > 8 { Issue.record("… \(reported) mismatching predictions in all", sourceLocation: sourceLocation) }
    }
}
