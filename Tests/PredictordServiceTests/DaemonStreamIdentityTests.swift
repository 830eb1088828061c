import Foundation
import Testing

extension DaemonTests {
    /// Stream ids are topic bytes: two canonically equivalent but byte-different topics are two contexts.
    @Suite("stream identity")
    struct StreamIdentity {
        @Test("a precomposed and a decomposed 'é' topic get separate contexts and their own exact topic back")
        func canonicallyEquivalentTopicsAreSeparateStreams() throws {
            let composed = "series/caf\u{E9}", decomposed = "series/cafe\u{301}"
            #expect(composed == decomposed && Array(composed.utf8) != Array(decomposed.utf8))
            let directory = try Harness.temporaryDirectory("identity")
            defer { try? FileManager.default.removeItem(at: directory) }
            let daemon = try DaemonProcess.start(stateDirectory: directory.appendingPathComponent("state"), directory: directory)
            let client = try DaemonClient(observations: daemon.config.observationsEndpoint,
                                          predictions: daemon.config.predictionsEndpoint)
            let perStream = 5
            for t in 1...perStream {
                try client.send(composed, Array(#"{"y":\#(t),"seq":\#(t)}"#.utf8))
                try client.send(decomposed, Array(#"{"y":\#(-t),"seq":\#(t)}"#.utf8))
            }
            let received = try client.collect(count: 2 * perStream)
            #expect(received.count == 2 * perStream, "predictions: \(received.count); stderr:\n\(daemon.stderr)")
            // Each topic's predictions count its own observations 1…5 (one shared context would count to 10, and
            // would refuse the second stream's repeated seqs as seq_not_increasing).
            for topic in [composed, decomposed] {
                let mine = received.filter { Array($0.stream.utf8) == Array(topic.utf8) }
                let counts = try mine.map { prediction -> Int in
                    let object = try JSONSerialization.jsonObject(with: Data(prediction.payload)) as? [String: Any]
                    return try #require(object?["n"] as? Int)
                }
                #expect(counts == Array(1...perStream), "\(Array(topic.utf8)): n = \(counts)")
            }
            let stop = daemon.stop()
            #expect(stop?.status == 0, "daemon did not exit 0 on SIGTERM; stderr:\n\(daemon.stderr)")
        }
    }
}
