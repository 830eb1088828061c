import ArgumentParser
import Foundation
import PredictorWire
import ZeroMQ

/// `predictord tail`: print a running daemon's predictions as JSON lines.
struct TailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Subscribe to a running predictord and print its predictions (binary ones converted to JSON)."
    )

    @Option(help: "The daemon's prediction endpoint.")
    var endpoint: String = "tcp://127.0.0.1:5557"

    @Option(help: "Exit after this many predictions (0 = never).")
    var count: Int = 0

    @Option(help: "Exit after this many seconds without a prediction (0 = never).")
    var idle: Double = 0

    @OptionGroup var curve: ClientCurveOptions

    @Argument(help: "Stream-id prefix to subscribe to (default: all streams).")
    var prefix: String = ""

    func run() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context: context, type: .sub)
        try socket.setReceiveHighWaterMark(0)
        try socket.subscribe(prefix: prefix)
        if idle > 0 { try socket.setReceiveTimeout(.seconds(idle)) }
        try curve.apply(to: socket)
        try socket.connect(endpoint)
        var received = 0
        var line: [UInt8] = []
        while count == 0 || received < count {
            guard let frames = try socket.receive() else { break }
            guard frames.count == 2 else { continue }
            do {
                let stream = try WireDecoder.topic(frames[0])
                var prediction = try WireDecoder.prediction(frames[1], stream: stream)
                if frames[1].first == UInt8(ascii: "{") {
                    // A JSON prediction is printed as the daemon sent it (checked above): re-encoding it would drop
                    // fields this decoder does not read back, such as "interval".
                    line = frames[1]
                } else {
                    if prediction.model.isEmpty { prediction.model = "?" }
                    try WireEncoder.prediction(prediction, encoding: .json, into: &line)
                }
                line.append(UInt8(ascii: "\n"))
                FileHandle.standardOutput.write(Data(line))
            } catch {
                FileHandle.standardError.write(Data("undecodable prediction: \(error)\n".utf8))
            }
            received += 1
        }
    }
}
