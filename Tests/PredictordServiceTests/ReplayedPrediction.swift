import Foundation
import PredictorWire

/// One line of `predictord replay` output, with its stream and decoded values.
struct ReplayedPrediction {
    var stream: String
    var line: [UInt8]
    var decoded: OutboundPrediction
}
