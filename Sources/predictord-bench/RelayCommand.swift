import ArgumentParser
import Dispatch
import Foundation
import ZeroMQ

/// `predictord-bench relay`: a do-nothing relay (SUB bind → PUB bind) built from the daemon's own ZeroMQ code — same
/// high-water marks, same `zmq_poll` loop, same `receiveMultipart`/`send` calls, one thread — so that
/// `predictord-bench e2e` can compare the daemon with the physical limit of its message path.
struct RelayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Forward [topic][payload] messages from a SUB socket to a PUB socket unchanged (the comparison point of predictord-bench e2e)."
    )

    @Option(name: .customLong("in"), help: "Endpoint the SUB socket binds (publishers connect here).")
    var input: String = "tcp://127.0.0.1:5556"

    @Option(name: .customLong("out"), help: "Endpoint the PUB socket binds (subscribers connect here).")
    var output: String = "tcp://127.0.0.1:5557"

    @Option(help: "ZMQ_RCVHWM of the SUB socket (the daemon's sockets.observations.receive_hwm).")
    var receiveHwm: Int = 1_000_000

    @Option(help: "ZMQ_SNDHWM of the PUB socket (the daemon's sockets.predictions.send_hwm).")
    var sendHwm: Int = 1_000_000

    // The daemon's PollLoop sets ZMQ_MAXMSGSIZE to max(64 × limits.max_message_bytes, 16 MiB): its own per-message
    // limit drops and counts oversized payloads; libzmq's cap (a larger frame drops the connection) is far above it.
    @Option(help: "ZMQ_MAXMSGSIZE of the SUB socket, as the daemon sets it (64 × limits.max_message_bytes, at least 16 MiB).")
    var maxMessageBytes: Int = 16 << 20

    @Flag(help: "Time every message from before its receive call to the end of its send (CLOCK_MONOTONIC) and print the median on stop: the relay's share of a paced latency run.")
    var timeMessages = false

    /// The stop line's prefix that `predictord-bench e2e` reads back.
    static let timingPrefix = "relay receive-to-send p50 ns: "

    func run() throws {
        let context = try ZMQContext()
        // SIGTERM/SIGINT end the loop the way they end the daemon's: the context is shut down, poll fails with ETERM.
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let queue = DispatchQueue(label: "relay-signals")
        let sources = [SIGTERM, SIGINT].map { number -> DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { context.shutdown() }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }

        let observations = try ZMQSocket(context: context, type: .sub)
        let predictions = try ZMQSocket(context: context, type: .pub)
        try observations.setReceiveHighWaterMark(receiveHwm)
        try observations.setMaxMessageSize(maxMessageBytes)
        try observations.subscribe(prefix: "")
        try observations.bind(input)
        try predictions.setSendHighWaterMark(sendHwm)
        try predictions.bind(output)
        let poller = ZMQPoller()
        _ = poller.add(observations)
        FileHandle.standardError.write(Data("relay ready: \(input) -> \(output)\n".utf8))

        var relayed = 0, malformed = 0, unsent = 0
        var spans: [Double] = []
        loop: while true {
            do {
                _ = try poller.poll(timeoutMilliseconds: 100)
            } catch {
                if !error.isTerminated { FileHandle.standardError.write(Data("poll failed: \(error)\n".utf8)) }
                break
            }
            // The daemon's drain: at most 10 000 messages per poll, each received without copying and sent on.
            for _ in 0..<10_000 {
                let handled: Void?
                let start = timeMessages ? BenchClock.now() : 0
                do {
                    handled = try observations.receiveMultipart(maxFrames: 2, dontWait: true) { frames in
                        guard frames.count == 2 else { malformed += 1; return }
                        let sent = (try? predictions.send(topic: frames[0], payload: frames[1], dontWait: true)) ?? false
                        if sent { relayed += 1 } else { unsent += 1 }
                        if timeMessages, sent { spans.append(BenchClock.now() - start) }
                    }
                } catch {
                    if !error.isTerminated { FileHandle.standardError.write(Data("receive failed: \(error)\n".utf8)) }
                    break loop
                }
                if handled == nil { break }
            }
        }
        observations.close()
        predictions.close()
        FileHandle.standardError.write(Data("relay stopped: \(relayed) relayed, \(malformed) malformed, \(unsent) not sent\n".utf8))
        if !spans.isEmpty {
            let median = benchMedian(spans)
            FileHandle.standardError.write(Data("\(Self.timingPrefix)\(Int((median * 1e9).rounded())) (\(spans.count) messages)\n".utf8))
        }
    }
}
