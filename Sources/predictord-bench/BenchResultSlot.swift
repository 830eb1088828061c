import Synchronization

/// A measurement's result handed from the thread that ran it to the one that joins it.
final class BenchResultSlot: Sendable {
    private let slot = Mutex<Result<BenchE2EResult, any Error>?>(nil)

    func store(_ result: Result<BenchE2EResult, any Error>) { slot.withLock { $0 = result } }

    /// The stored result (rethrowing its error); an error if none was stored.
    func take() throws -> BenchE2EResult {
        guard let result = slot.withLock({ $0 }) else { throw BenchE2EError("the measurement thread stored no result") }
        return try result.get()
    }
}
