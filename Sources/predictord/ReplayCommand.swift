import ArgumentParser
import PredictorEngine
import PredictordConfig

import Foundation

/// `predictord replay`: the offline twin of the daemon over a JSON Lines file.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run observations from a JSON Lines file through the configured models and print one JSON prediction per line.",
        discussion: """
            Each input line is a wire-format JSON observation with an optional "stream" field (default: --stream).
            Streams are routed to models exactly as the daemon routes topics. Dropped lines are reported on stderr.
            """
    )

    @Option(help: "Configuration file whose models are used.")
    var config: String = "Config/predictord.yaml"

    @Option(name: .customLong("set"), help: "Override a configuration key, e.g. --set model.series.lambda=0.99 (repeatable).")
    var overrides: [String] = []

    @Option(help: "Use this configured model for every stream, ignoring the match prefixes.")
    var model: String?

    @Option(help: "Stream id for lines without a \"stream\" field.")
    var stream: String = "replay"

    @Option(name: .shortAndLong, help: "Write predictions to this file instead of standard output.")
    var output: String?

    @Option(help: "Print, instead of the predictions, the Jacobi sweeps (layers) 0…K of every `dual` stream's estimates next to the forward filter (docs/math.md).")
    var layers: Int?

    @Argument(help: "JSON Lines file of observations ('-' for standard input).")
    var input: String

    func run() async throws {
        let loaded = try await ConfigInput.load(config, overrides: overrides)
        var models = loaded.models
        if let model {
            guard var chosen = models.first(where: { $0.name == model }) else {
                throw ValidationError("--model \(model): no such model in \(config); configured: \(models.map(\.name).joined(separator: ", "))")
            }
            chosen.match = ""
            models = [chosen]
        }
        if let output { try FileInput.requireDirectory(of: output, what: "output") }
        if let layers, !(1...ReplayLayers.maxSweeps).contains(layers) {
            throw ValidationError("--layers \(layers): give a number of sweeps in 1...\(ReplayLayers.maxSweeps)")
        }
        var trace = layers.map { ReplayLayers(sweeps: $0, models: models) }
        let data = input == "-" ? FileHandle.standardInput.readDataToEndOfFile()
            : try FileInput.read(input, what: "input", hint: "give a JSON Lines file of observations, or - for standard input")
        var replayer = Replayer(engine: PredictionEngine(models: models), defaultStream: stream)
        var out: [UInt8] = []
        out.reserveCapacity(data.count * 2)
        var lineNumber = 0
        var lines = Array(data).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // The newline that ends the last line does not start another one.
        if lines.last?.isEmpty == true { lines.removeLast() }
        for line in lines {
            lineNumber += 1
            let bytes = Array(line.last == UInt8(ascii: "\r") ? line.dropLast() : line)
            if bytes.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            if let drop = replayer.replay(line: bytes, output: &out) {
                FileHandle.standardError.write(Data("\(input):\(lineNumber): dropped (\(drop.reason)): \(drop.message)\n".utf8))
            } else {
                out.append(UInt8(ascii: "\n"))
                trace?.record(line: bytes, defaultStream: stream)
            }
        }
        if let trace {
            let lines = trace.lines()
            guard !lines.isEmpty else {
                throw ValidationError("--layers: \(input) has no symbol of a `dual` model's stream (layers are the dual filter's)")
            }
            out = Array((lines.joined(separator: "\n") + "\n").utf8)
        }
        if let output {
            try FileInput.write(Data(out), to: output, what: "output")
        } else {
            FileHandle.standardOutput.write(Data(out))
        }
        let c = replayer.engine.counters.adding(replayer.wireDrops)
        let drops = c.drops.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        FileHandle.standardError.write(Data(
            "replayed \(lineNumber) lines: \(c.predictions) predictions, \(c.totalDrops) dropped\(drops.isEmpty ? "" : " (\(drops))"), \(replayer.engine.contexts.count) contexts\n".utf8))
    }
}
