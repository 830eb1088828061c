import CSystemd

#if canImport(Glibc)
import Glibc
#endif

/// Tells the service manager about the daemon's state with `sd_notify` (`Type=notify`, `WatchdogSec=`).
/// Every call is a no-op returning false when `NOTIFY_SOCKET` is not set (not started by systemd).
public struct SystemdNotifier: Sendable {
    public init() {}

    /// Sends newline-separated `KEY=value` assignments; true if they were sent, false without `NOTIFY_SOCKET` or
    /// when sending failed.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        sd_notify(0, state) > 0
    }

    /// `READY=1`: start-up is finished (sockets bound, checkpoints loaded).
    @discardableResult public func ready() -> Bool { notify("READY=1") }

    /// `STOPPING=1`: shutdown has begun.
    @discardableResult public func stopping() -> Bool { notify("STOPPING=1") }

    /// `STATUS=…`: one line shown by `systemctl status`; newlines are replaced by spaces.
    @discardableResult
    public func status(_ text: String) -> Bool {
        notify("STATUS=" + String(text.map { $0.isNewline ? " " : $0 }))
    }

    /// `WATCHDOG=1`: keep-alive ping; send at least every `watchdogInterval / 2`.
    @discardableResult public func watchdog() -> Bool { notify("WATCHDOG=1") }

    /// `EXTEND_TIMEOUT_USEC=…`: asks for `duration` more time to start or stop (e.g. while loading checkpoints).
    @discardableResult
    public func extendTimeout(by duration: Duration) -> Bool {
        let (seconds, attoseconds) = duration.components
        let microseconds = max(0, seconds) * 1_000_000 + max(0, attoseconds) / 1_000_000_000_000
        return notify("EXTEND_TIMEOUT_USEC=\(microseconds)")
    }

    /// Whether `NOTIFY_SOCKET` is set, i.e. the service manager expects notifications.
    public var isSupervised: Bool { getenv("NOTIFY_SOCKET") != nil }

    /// The watchdog timeout (`WATCHDOG_USEC`, for this process per `WATCHDOG_PID`), or nil when not enabled.
    public var watchdogInterval: Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0 else { return nil }
        return .microseconds(Int64(clamping: microseconds))
    }
}
