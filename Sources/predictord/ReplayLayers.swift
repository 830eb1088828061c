import Foundation
import PredictorCore
import PredictorEngine
import PredictorWire

/// `replay --layers K`: the transformer view of the `dual` filter. Collects each dual stream's accepted symbols
/// (since its last reset) and prints, per stream, the Jacobi sweeps k = 0…K of ``DualFilter/layers`` — layer k
/// recomputes every position from layer k − 1 — next to the forward filter they converge to (docs/math.md).
struct ReplayLayers {
    let sweeps: Int
    let router: ModelRouter
    let models: [ModelDefinition]
    /// Accepted symbols per stream of a symbol `dual` model, in arrival order of the streams.
    private(set) var symbols: [String: [Int]] = [:]
    private(set) var order: [String] = []

    /// Largest K accepted: the sweeps cost K·T·H·d³.
    static let maxSweeps = 10_000

    init(sweeps: Int, models: [ModelDefinition]) {
        self.sweeps = sweeps
        self.models = models
        router = ModelRouter(models: models)
    }

    /// Records one accepted input line (call only for lines the engine accepted).
    mutating func record(line: [UInt8], defaultStream: String) {
        guard let message = try? WireDecoder.observation(line) else { return }
        let stream = message.stream ?? defaultStream
        guard let index = router.route(stream), case .dual = models[index].spec else { return }
        if symbols[stream] == nil { order.append(stream) }
        switch message.body {
        case let .observation(.symbol(z)): symbols[stream, default: []].append(z)
        case .reset: symbols[stream] = []
        default: break
        }
    }

    /// One JSON line per stream and layer: `{"stream", "layer", "max_error", "rho"}` with ρ₀…ρ_T of that layer and
    /// its largest |ρ − π| against the forward filter, then the forward filter's own line (`"layer":"forward"`).
    func lines() -> [String] {
        var out: [String] = []
        for stream in order {
            guard let index = router.route(stream), case let .dual(p) = models[index].spec, let zs = symbols[stream] else { continue }
            var forward = ForwardFilter(parameters: p.hmm)
            var exact = [p.hmm.initial]
            var prediction = Prediction()
            for z in zs {
                guard (try? forward.observe(.symbol(z), into: &prediction)) != nil else { break }
                exact.append(forward.state.predictive)
            }
            for k in 0...sweeps {
                let rho = DualFilter.layers(parameters: p, symbols: zs, sweeps: k)
                var worst = 0.0
                for (a, b) in zip(rho, exact) { for (u, v) in zip(a, b) { worst = max(worst, abs(u - v)) } }
                out.append(Self.line(stream: stream, layer: "\(k)", error: worst, rho: rho))
            }
            out.append(Self.line(stream: stream, layer: "\"forward\"", error: 0, rho: exact))
        }
        return out
    }

    private static func line(stream: String, layer: String, error: Double, rho: [[Double]]) -> String {
        let encoded = String(decoding: try! JSONSerialization.data(withJSONObject: [stream], options: [.withoutEscapingSlashes]), as: UTF8.self)
        let measures = rho.map { "[" + $0.map { "\($0)" }.joined(separator: ",") + "]" }.joined(separator: ",")
        return "{\"stream\":\(encoded.dropFirst().dropLast()),\"layer\":\(layer),\"max_error\":\(error),\"rho\":[\(measures)]}"
    }
}
