import Foundation
import PredictorWire

#if canImport(Glibc)
import Glibc
#endif

/// One observation of the workload: its stream, the message, and the encoding it is sent in.
struct WorkItem {
    var stream: String
    var message: InboundMessage
    var encoding: WireEncoding

    /// The replay input line: wire JSON with a `"stream"` field.
    func replayLine() throws -> [UInt8] {
        var m = message
        m.stream = stream
        m.encoding = .json
        return try WireEncoder.observation(m, encoding: .json)
    }

    /// The payload sent to the daemon, in the stream's encoding.
    func payload() throws -> [UInt8] {
        var m = message
        m.stream = nil
        m.encoding = encoding
        return try WireEncoder.observation(m, encoding: encoding)
    }
}
