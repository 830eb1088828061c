import Synchronization
import Systemd

/// What the poll thread tells the rest of the process: its heartbeat (for WATCHDOG=1) and a one-line status
/// (`<stats summary>; <checkpoint health>`), sent as STATUS= whenever either part is set.
///
/// Shared across threads through `Atomic` and `Mutex`, so the class is Sendable without unchecked conformance.
public final class DaemonHealth: Sendable {
    /// Monotonic nanoseconds of the poll loop's last iteration; 0 before it starts.
    private let heartbeatNanos = Atomic<Int64>(0)
    private let parts = Mutex<(stats: String, checkpoint: String)>(("starting", ""))
    private let notifier: SystemdNotifier

    public init(notifier: SystemdNotifier = SystemdNotifier()) {
        self.notifier = notifier
    }

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

    /// The whole STATUS= line.
    public var status: String { parts.withLock { Self.line($0.stats, $0.checkpoint) } }

    /// The live figures (the stats entry's summary); setting it sends STATUS= (each stats interval).
    public var statsSummary: String {
        get { parts.withLock { $0.stats } }
        set { update { $0.stats = newValue } }
    }

    /// The checkpoint health (`checkpoint ok at …`, `checkpoint failing since …: reason`); setting it to a new
    /// value sends STATUS= at once, so a failing disk shows without waiting for the next stats interval.
    public var checkpointStatus: String {
        get { parts.withLock { $0.checkpoint } }
        set {
            guard newValue != checkpointStatus else { return }
            update { $0.checkpoint = newValue }
        }
    }

    /// Changes a part and sends the line under the lock, so concurrent updates reach systemd in order.
    private func update(_ change: (inout (stats: String, checkpoint: String)) -> Void) {
        parts.withLock { parts in
            change(&parts)
            _ = notifier.status(Self.line(parts.stats, parts.checkpoint))
        }
    }

    private static func line(_ stats: String, _ checkpoint: String) -> String {
        checkpoint.isEmpty ? stats : stats + "; " + checkpoint
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
