import Systemd
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// These tests change process-wide environment variables, so they run one at a time and restore them.
@Suite("SystemdNotifier over a real AF_UNIX datagram socket", .serialized)
struct SystemdNotifierTests {
    /// Runs `body` with the given environment variables set (nil = unset), restoring the previous values after.
    private func withEnvironment(_ values: [String: String?], _ body: () throws -> Void) rethrows {
        var saved: [String: String?] = [:]
        for (name, value) in values {
            saved[name] = getenv(name).map { String(cString: $0) }
            if let value { setenv(name, value, 1) } else { unsetenv(name) }
        }
        defer {
            for (name, value) in saved {
                if let value { setenv(name, value, 1) } else { unsetenv(name) }
            }
        }
        try body()
    }

    @Test func sendsExactlyTheStateAssignments() throws {
        let listener = try UnixDatagramListener()
        withEnvironment(["NOTIFY_SOCKET": listener.path]) {
            let notifier = SystemdNotifier()
            #expect(notifier.isSupervised)
            #expect(notifier.ready())
            #expect(listener.receive() == "READY=1")
            #expect(notifier.status("serving 3 streams\nsecond line"))
            #expect(listener.receive() == "STATUS=serving 3 streams second line")
            #expect(notifier.watchdog())
            #expect(listener.receive() == "WATCHDOG=1")
            #expect(notifier.extendTimeout(by: .seconds(90)))
            #expect(listener.receive() == "EXTEND_TIMEOUT_USEC=90000000")
            #expect(notifier.stopping())
            #expect(listener.receive() == "STOPPING=1")
            #expect(listener.receiveNow() == nil)
        }
    }

    @Test func withoutNotifySocketNothingIsSent() {
        withEnvironment(["NOTIFY_SOCKET": nil]) {
            let notifier = SystemdNotifier()
            #expect(!notifier.isSupervised)
            #expect(!notifier.ready())
            #expect(!notifier.notify("STATUS=x"))
        }
    }

    @Test func watchdogIntervalComesFromTheEnvironment() {
        let notifier = SystemdNotifier()
        withEnvironment(["WATCHDOG_USEC": "2000000", "WATCHDOG_PID": String(getpid())]) {
            #expect(notifier.watchdogInterval == .seconds(2))
        }
        withEnvironment(["WATCHDOG_USEC": "2000000", "WATCHDOG_PID": nil]) {
            #expect(notifier.watchdogInterval == .seconds(2))
        }
        withEnvironment(["WATCHDOG_USEC": "2000000", "WATCHDOG_PID": String(getpid() + 1)]) {
            #expect(notifier.watchdogInterval == nil)  // meant for another process
        }
        withEnvironment(["WATCHDOG_USEC": nil, "WATCHDOG_PID": nil]) {
            #expect(notifier.watchdogInterval == nil)
        }
    }
}
