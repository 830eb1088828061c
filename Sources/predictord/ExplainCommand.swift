import ArgumentParser
import Foundation
import PredictorCore
import PredictorEngine
import PredictordState

/// `predictord explain`: the transformer view of one stream saved in a checkpoint (docs/math.md, "The transformer
/// view"): for `rls` the linear-attention layer that reproduces its fit, for `dual` the controls over its window.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Print the transformer view of one stream in a state directory's checkpoint (rls: attention weights; dual: controls).",
        discussion: "Read-only. STREAM is the stream id exactly as published (e.g. series/a)."
    )

    @Argument(help: "State directory (state.directory; /var/lib/predictord under systemd).")
    var directory: String

    @Argument(help: "Stream id.")
    var stream: String

    func run() throws {
        let file = try CheckpointFile(directory: directory)
        let (path, checkpoint) = (file.path, file.checkpoint)
        guard let context = checkpoint.contexts.first(where: { $0.stream == Array(stream.utf8) }) else {
            let known = checkpoint.contexts.prefix(5).map { String(decoding: $0.stream, as: UTF8.self) }
            throw CommandFailure("no stream '\(stream)' in \(path) (\(checkpoint.contexts.count) saved, e.g. \(known.joined(separator: ", "))); "
                                 + "give the id exactly as published")
        }
        let spec: ModelSpec, predictor: AnyPredictor
        do {
            spec = try checkpoint.models[context.modelIndex].decodeSpec()
            predictor = try spec.restorePredictor(state: context.state)
        } catch {
            throw CommandFailure("cannot decode stream '\(stream)' of model '\(context.model)': \(error)")
        }
        func row(_ v: [Double]) -> String { "[" + v.map { "\($0)" }.joined(separator: ", ") + "]" }
        switch predictor {
        case let .rls(box):
            let view = RLSTransformerView(parameters: box.value.parameters, state: box.value.state)
            let p = view.features, q = view.outputs
            print("stream: \(stream) (model '\(context.model)', kind rls, \(view.pairs) pairs, lambda \(view.lambda))")
            print("one linear-attention layer: W_Q = W_K = L^T with L L^T = P (p = \(p)); value of row i = lambda^(n-i) y_i;")
            print("  fit W^T x = sum_i <L^T x, L^T x_i> lambda^(n-i) y_i + head^T x")
            print("eigenvalues of P: \(row(view.eigenvalues))")
            print("L (rows):")
            for i in 0..<p { print("  \(row(Array(view.projection[(i * p)..<(i * p + p)])))") }
            print("W (fit, rows):")
            for i in 0..<p { print("  \(row(Array(view.weights[(i * q)..<(i * q + q)])))") }
            print("head = delta lambda^n P w0 (rows):")
            for i in 0..<p { print("  \(row(Array(view.head[(i * q)..<(i * q + q)])))") }
        case let .dual(box):
            let filter = box.value
            print("stream: \(stream) (model '\(context.model)', kind dual, window H = \(filter.parameters.window), n = \(filter.state.count))")
            guard let view = filter.controls else {
                print("no controls: the stream has no stored position before the current one (n = 0 or H = 1)")
                return
            }
            let h = filter.parameters.window
            print("controls U_s (the attention-weight analogue), positions \(view.start)…\(filter.state.count - 1):")
            for (k, u) in view.controls.enumerated() {
                let s = view.start + k
                print("  s = \(s), z = \(filter.state.tokens[s % h]): U = \(row(u))")
            }
            print("rho_start^T Y - sum_s U_s: \(row(view.estimate))")
            print("current estimate rho_n:    \(row(filter.measure))")
        default:
            throw CommandFailure("stream '\(stream)' is a \(predictor.kind) context; explain shows rls and dual contexts")
        }
    }
}
