import Synchronization

/// What the poll thread tells the rest of the process: its heartbeat (for WATCHDOG=1) and a one-line status.
///
/// Shared across threads through `Atomic` and `Mutex`, so the class is Sendable without unchecked conformance.
public final class DaemonHealth: Sendable {
    /// Monotonic nanoseconds of the poll loop's last iteration; 0 before it starts.
    private let heartbeatNanos = Atomic<Int64>(0)
    private let statusLine = Mutex<String>("starting")

    public init() {}

    /// Called by the poll loop every iteration.
    public func beat(now: ContinuousClock.Instant) {
        heartbeatNanos.store(now.nanosecondsSinceReference, ordering: .relaxed)
    }

    /// True when the poll loop iterated within `maxAge` of `now` (so WATCHDOG=1 may be sent).
    public func isFresh(now: ContinuousClock.Instant, maxAge: Duration) -> Bool {
        let last = heartbeatNanos.load(ordering: .relaxed)
        guard last != 0 else { return false }
        let age = now.nanosecondsSinceReference - last
        let limit = maxAge.components.seconds * 1_000_000_000 + maxAge.components.attoseconds / 1_000_000_000
        return age <= limit
    }

    public var status: String {
        get { statusLine.withLock { $0 } }
        set { statusLine.withLock { $0 = newValue } }
    }
}

extension ContinuousClock.Instant {
    /// Nanoseconds since an arbitrary fixed reference (the clock's zero), for storing in an atomic.
    var nanosecondsSinceReference: Int64 {
        let d = self - ContinuousClock.Instant.reference
        return d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
    }

    /// A process-wide fixed instant (immutable, so no shared mutable state).
    static let reference = ContinuousClock.now
}
