import Foundation

struct ReceivedPrediction {
    var stream: String
    var payload: [UInt8]
}
