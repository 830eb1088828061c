import Foundation
import PredictorCore
import PredictorEngine
import PredictorWire
import PredictordState
import PredictordTestSupport

/// SplitMix64: reproducible inputs for every checkpoint test.
struct CheckpointRNG {
    private var base: SplitMix64
    init(seed: UInt64) { base = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { base.next() }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// A probability vector with entries bounded away from 0.
    mutating func distribution(_ n: Int) -> [Double] {
        let raw = (0..<n).map { _ in 0.05 + uniform() }
        let s = raw.reduce(0, +)
        return raw.map { $0 / s }
    }
}

/// One message of a scripted run: which stream, what, and when.
struct ScriptedMessage {
    var stream: String
    var message: InboundMessage
    var now: Double
}

/// An engine's answer to one message: the prediction, or the drop reason.
enum Outcome {
    case prediction(OutboundPrediction)
    case dropped(String)

    /// True when both are the same drop, or predictions with equal envelopes and bit-identical numbers.
    func isBitwiseEqual(to other: Outcome) -> Bool {
        switch (self, other) {
        case let (.dropped(a), .dropped(b)): a == b
        case let (.prediction(a), .prediction(b)):
            a.stream == b.stream && a.model == b.model && a.seq == b.seq && a.ts?.bitPattern == b.ts?.bitPattern
                && a.prediction.isBitwiseEqual(to: b.prediction)
        default: false
        }
    }
}

/// Test fixtures: an engine with every model kind, scripted traffic and temporary state directories.
enum CheckpointFixtures {
    static func randomHMM(states d: Int, symbols m: Int, rng: inout CheckpointRNG) -> HMMParameters {
        try! HMMParameters(
            states: d, symbols: m, transition: (0..<d).flatMap { _ in rng.distribution(d) },
            emission: (0..<d).flatMap { _ in rng.distribution(m) }, initial: rng.distribution(d),
            values: (0..<m).map { _ in rng.uniform() * 4 - 2 })
    }

    /// Models `ar` (RLS, autoregressive), `reg` (RLS, explicit features), `sm` (softmax), `hmm` (forward) and `dual`.
    static func models(hmmSeed: UInt64 = 7) -> [ModelDefinition] {
        var rng = CheckpointRNG(seed: hmmSeed)
        let hmm = randomHMM(states: 3, symbols: 4, rng: &rng)
        let dualHMM = randomHMM(states: 2, symbols: 3, rng: &rng)
        return [
            ModelDefinition(
                name: "ar", match: "ar/",
                spec: .rls(try! RLSParameters(layout: .autoregressive(lags: 2, bias: true), outputs: 1, lambda: 0.99, delta: 100))),
            ModelDefinition(
                name: "reg", match: "reg/",
                spec: .rls(try! RLSParameters(layout: .explicit(dimension: 3), outputs: 2, lambda: 0.995, delta: 10))),
            ModelDefinition(
                name: "sm", match: "sm/",
                spec: .softmax(try! SoftmaxParameters(layout: .explicit(dimension: 2), outputs: 1, beta: 1.5, window: 6))),
            ModelDefinition(name: "hmm", match: "hmm/", spec: .forward(hmm)),
            ModelDefinition(name: "dual", match: "dual/", spec: .dual(try! DualFilterParameters(hmm: dualHMM, window: 5))),
        ]
    }

    /// Streams of every model (one with a non-ASCII id); some send `seq` (with gaps), some do not.
    static let streams = ["ar/a", "ar/é-ü", "reg/1", "sm/x", "sm/y", "hmm/1", "hmm/2", "dual/1", "dual/2"]

    /// `count` interleaved messages: observations of each stream's kind, plus queries, resets and a repeated seq.
    static func script(count: Int, seed: UInt64 = 42) -> [ScriptedMessage] {
        var rng = CheckpointRNG(seed: seed)
        var seqs: [String: UInt64] = [:]
        var out: [ScriptedMessage] = []
        for i in 0..<count {
            let stream = streams[rng.below(streams.count)]
            let usesSeq = !stream.hasSuffix("2") && stream != "sm/y"
            var seq: UInt64? = nil
            if usesSeq {
                // Mostly the next seq, sometimes a gap, sometimes the last seq again (which the engine refuses).
                let last = seqs[stream] ?? 0
                let next = last > 0 && rng.below(15) == 0 ? last : last + 1 + (rng.below(8) == 0 ? 2 : 0)
                seqs[stream] = next
                seq = next
            }
            let body: InboundMessage.Body
            switch stream.prefix(while: { $0 != "/" }) {
            case "ar": body = .observation(.series([sin(Double(i) / 5) + rng.uniform()]))
            case "reg":
                if rng.below(10) == 0 {
                    body = .query(x: [rng.uniform(), rng.uniform(), 1])
                } else {
                    let x = [rng.uniform(), rng.uniform(), 1]
                    body = .observation(.labelled(x: x, y: [2 * x[0] - x[1], x[0] + rng.uniform() / 10]))
                }
            case "sm":
                let x = [rng.uniform(), rng.uniform()]
                body = rng.below(8) == 0 ? .query(x: x) : .observation(.labelled(x: x, y: [x[0] * x[1]]))
            default: body = rng.below(40) == 0 ? .reset : .observation(.symbol(rng.below(stream.hasPrefix("hmm") ? 4 : 3)))
            }
            out.append(
                ScriptedMessage(
                    stream: stream, message: InboundMessage(body: body, seq: seq, ts: Double(i) * 0.25, encoding: .json),
                    now: 1_000 + Double(i)))
        }
        return out
    }

    /// Runs `messages` through `engine`, recording each outcome.
    /// Corrupts one or two bytes of `payload` at or after `start`, 400 times: each copy that still decodes behind
    /// a valid checksum is restored into an engine of `models` and fed `script(seed)`; returns how many decoded.
    static func fuzz(_ payload: [UInt8], from start: Int, seed: UInt64, models: [ModelDefinition],
                     script: (UInt64) -> [ScriptedMessage]) -> Int {
        var rng = CheckpointRNG(seed: seed)
        var decoded = 0
        for _ in 0..<400 {
            var bad = payload
            for _ in 0..<(1 + rng.below(2)) {
                let i = start + rng.below(bad.count - start)
                bad[i] = rng.below(2) == 0 ? bad[i] ^ (UInt8(1) << UInt8(rng.below(8))) : UInt8(truncatingIfNeeded: rng.next())
            }
            guard let checkpoint = try? CheckpointCodec.decode(CheckpointCorruptionTests.framed(bad)) else { continue }
            decoded += 1
            var restored = PredictionEngine(models: models)
            restored.restore(from: checkpoint)
            _ = run(script(rng.next()), on: &restored)
        }
        return decoded
    }

    static func run(_ messages: some Sequence<ScriptedMessage>, on engine: inout PredictionEngine) -> [Outcome] {
        var out = OutboundPrediction(stream: "", model: "", prediction: Prediction())
        var outcomes: [Outcome] = []
        for m in messages {
            do {
                try engine.process(stream: m.stream, message: m.message, now: m.now, into: &out)
                outcomes.append(.prediction(out))
            } catch {
                outcomes.append(.dropped(error.reason))
            }
        }
        return outcomes
    }

    /// An engine that has absorbed a scripted run.
    static func trainedEngine(messages: Int = 120, models: [ModelDefinition] = models()) -> PredictionEngine {
        var engine = PredictionEngine(models: models)
        _ = run(script(count: messages), on: &engine)
        return engine
    }
}

/// A fresh directory under the system temp directory, removed when the test ends.
final class TemporaryDirectory {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "/predictord-state-XXXXXX").utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    deinit {
        chmod(path, 0o700)
        try? FileManager.default.removeItem(atPath: path)
    }

    func bytes(_ name: String) -> [UInt8]? { FileManager.default.contents(atPath: "\(path)/\(name)").map { [UInt8]($0) } }
    func write(_ name: String, _ bytes: [UInt8]) { _ = FileManager.default.createFile(atPath: "\(path)/\(name)", contents: Data(bytes)) }
    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: "\(path)/\(name)") }
    func entries() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
}
