import ArgumentParser
import Foundation
import PredictorWire
import ZeroMQ

/// `predictord publish`: send observations from a JSON Lines file to a running daemon.
struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish observations from a JSON Lines file (replay's input format) to a running predictord."
    )

    @Option(help: "The daemon's observation endpoint.")
    var endpoint: String = "tcp://127.0.0.1:5556"

    @Option(help: "Wire encoding to send: json or binary.")
    var encoding: WireEncoding = .json

    @Option(help: "Stream id for lines without a \"stream\" field.")
    var stream: String = "replay"

    @Option(help: "Observations per second (0 = as fast as possible).")
    var rate: Double = 0

    @Option(help: "Seconds to wait for the daemon to subscribe before giving up.")
    var timeout: Double = 10

    @OptionGroup var curve: ClientCurveOptions

    @Argument(help: "JSON Lines file of observations ('-' for standard input).")
    var input: String

    func run() throws {
        let data = input == "-" ? FileHandle.standardInput.readDataToEndOfFile()
            : try FileInput.read(input, what: "input", hint: "give a JSON Lines file of observations, or - for standard input")
        var messages: [(topic: [UInt8], payload: [UInt8])] = []
        for (number, line) in Array(data).split(separator: UInt8(ascii: "\n")).enumerated() where !line.isEmpty {
            do {
                var message = try WireDecoder.observation(Array(line))
                let topic = Array((message.stream ?? stream).utf8)
                message.stream = nil
                messages.append((topic, try WireEncoder.observation(message, encoding: encoding)))
            } catch {
                throw CommandFailure("\(input):\(number + 1): \(error)")
            }
        }
        let context = try ZMQContext()
        let socket = try ZMQSocket(context: context, type: .xpub)
        try socket.setSendHighWaterMark(0)
        try socket.setLinger(.seconds(timeout))
        try curve.apply(to: socket)
        try socket.connect(endpoint)
        // XPUB receives the daemon's subscription: sending only after it arrives avoids the slow-joiner loss.
        try socket.setReceiveTimeout(.seconds(timeout))
        guard try socket.receive() != nil else {
            throw CommandFailure("no subscriber at \(endpoint) after \(timeout) s: is predictord running (predictord run) and is this its sockets.observations.bind?\(curve.refusalHint)")
        }
        let clock = ContinuousClock()
        let start = clock.now
        for (i, m) in messages.enumerated() {
            if rate > 0 {
                let due = start + .seconds(Double(i) / rate)
                if due > clock.now { Thread.sleep(forTimeInterval: Double((due - clock.now).components.attoseconds) * 1e-18 + Double((due - clock.now).components.seconds)) }
            }
            _ = try socket.send(topic: m.topic, payload: m.payload)
        }
        socket.close()
        FileHandle.standardError.write(Data("published \(messages.count) observations to \(endpoint) (\(encoding.rawValue))\n".utf8))
    }
}

extension WireEncoding: ExpressibleByArgument {}
