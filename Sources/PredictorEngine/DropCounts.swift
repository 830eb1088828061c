/// Drops by reason of messages the engine never saw (bad frames, undecodable payloads, refused handshakes, full
/// send queues): owned by whoever receives and sends them (the daemon's poll loop, `replay`), not by the engine.
package struct DropCounts: Sendable, Equatable {
    /// Count per stable snake_case reason.
    package private(set) var byReason: [String: UInt64] = [:]

    package init() {}

    package mutating func count(_ reason: String) { byReason[reason, default: 0] += 1 }
}

extension EngineCounters {
    /// These counters with `other`'s drops added: the figures a report shows for everything a process dropped.
    package func adding(_ other: DropCounts) -> EngineCounters {
        var all = self
        for (reason, n) in other.byReason { all.drops[reason, default: 0] += n }
        return all
    }
}
