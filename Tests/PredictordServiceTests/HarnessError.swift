import Foundation

/// Failures of the harness itself (a daemon that does not start, a socket that does not connect, …).
struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
