import Synchronization

/// Whether the daemon is ready for SIGHUP reloads; a SIGHUP before that is remembered (once) and applied on opening.
///
/// Shared by the signal task and the start-up path through a `Mutex`, so it is Sendable without unchecked conformance.
final class HangupGate: Sendable {
    private let state = Mutex<(open: Bool, pending: Bool)>((false, false))

    /// True (and the SIGHUP remembered) while the daemon is still starting; false once open.
    func deferUnlessOpen() -> Bool {
        state.withLock { s in
            if s.open { return false }
            s.pending = true
            return true
        }
    }

    /// Opens the gate; true when a SIGHUP arrived before, so the caller reloads now.
    func open() -> Bool {
        state.withLock { s in
            s.open = true
            defer { s.pending = false }
            return s.pending
        }
    }
}
