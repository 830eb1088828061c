import Foundation

/// The checkpoint writer's record of successes and failure streaks (pure): which attempts deserve a log line and
/// what STATUS= says, so a full or read-only disk is logged once per streak and once on recovery, not per attempt.
struct CheckpointHealth: Sendable, Equatable {
    /// What an attempt changed, i.e. what to log about it.
    enum Transition: Sendable, Equatable {
        /// A success after a success (or the first one): nothing to report beyond debug.
        case ok
        /// The first failure of a streak: log at error level.
        case startedFailing
        /// Another failure of the current streak: already reported.
        case stillFailing
        /// The first success after `failures` failed attempts that began at `since` (seconds since 1970).
        case recovered(failures: Int, since: Double)
    }

    /// Time (seconds since 1970) of the last good checkpoint, nil before the first.
    private(set) var lastSuccess: Double?
    /// Start of the current failure streak, nil while checkpoints succeed.
    private(set) var failingSince: Double?
    /// Creation time of the checkpoint restored at start (seconds since 1970), nil when the daemon started empty.
    var restoredAt: Double?
    /// Failed attempts in the current streak.
    private(set) var failures = 0
    /// The error of the latest failed attempt of the current streak.
    private(set) var lastError: String?

    var isFailing: Bool { failingSince != nil }

    mutating func recordSuccess(at time: Double) -> Transition {
        defer { lastSuccess = time; failingSince = nil; failures = 0; lastError = nil }
        guard let since = failingSince else { return .ok }
        return .recovered(failures: failures, since: since)
    }

    mutating func recordFailure(_ reason: String, at time: Double) -> Transition {
        failures += 1
        lastError = reason
        guard failingSince == nil else { return .stillFailing }
        failingSince = time
        return .startedFailing
    }

    /// The checkpoint part of STATUS=: `checkpoint ok at …`, `restored checkpoint of …, none written yet`,
    /// `no checkpoint yet`, or
    /// `checkpoint failing since … (N attempts): <reason>` (the reason cut to `maxReason` characters).
    func statusText(maxReason: Int = 160) -> String {
        if let since = failingSince {
            let reason = lastError.map { $0.count > maxReason ? $0.prefix(maxReason - 1) + "…" : $0 } ?? "unknown error"
            let attempts = failures == 1 ? "1 attempt" : "\(failures) attempts"
            return "checkpoint failing since \(Self.utc(since)) (\(attempts)): \(reason)"
        }
        if let lastSuccess { return "checkpoint ok at \(Self.utc(lastSuccess))" }
        if let restoredAt { return "restored checkpoint of \(Self.utc(restoredAt)), none written yet" }
        return "no checkpoint yet"
    }

    /// `2026-11-30T16:00:00Z` for seconds since 1970.
    static func utc(_ seconds: Double) -> String {
        Date(timeIntervalSince1970: seconds.rounded(.down)).formatted(.iso8601)
    }
}
