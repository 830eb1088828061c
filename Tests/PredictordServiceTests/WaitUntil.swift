import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Polls `condition` every 20 ms until it holds or `seconds` pass; returns whether it held.
@discardableResult
func waitUntil(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if try condition() { return true }
        if Date() >= deadline { return false }
        usleep(20_000)
    }
}
