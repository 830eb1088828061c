import Synchronization
import Systemd

/// What the poll thread tells the rest of the process: its heartbeat (for WATCHDOG=1) and a one-line status
/// (`<stats summary>; <checkpoint health>[; <journal health>]`), sent as STATUS= whenever a part is set.
///
/// Shared across threads through `Atomic` and `Mutex`, so the class is Sendable without unchecked conformance.
public final class DaemonHealth: Sendable {
    /// Monotonic nanoseconds of the poll loop's last iteration; 0 before it starts.
    private let heartbeatNanos = Atomic<Int64>(0)
    private let parts = Mutex<(stats: String, checkpoint: String, journal: String)>(("starting", "", ""))
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
    public var status: String { parts.withLock { Self.line($0) } }

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

    /// The journal health (empty while it is fine or off; `journal failing since …: reason` when appends fail);
    /// a change sends STATUS= at once, like ``checkpointStatus``.
    public var journalStatus: String {
        get { parts.withLock { $0.journal } }
        set {
            guard newValue != journalStatus else { return }
            update { $0.journal = newValue }
        }
    }

    /// Changes a part and sends the line under the lock, so concurrent updates reach systemd in order.
    private func update(_ change: (inout (stats: String, checkpoint: String, journal: String)) -> Void) {
        parts.withLock { parts in
            change(&parts)
            _ = notifier.status(Self.line(parts))
        }
    }

    private static func line(_ parts: (stats: String, checkpoint: String, journal: String)) -> String {
        [parts.stats, parts.checkpoint, parts.journal].filter { !$0.isEmpty }.joined(separator: "; ")
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
