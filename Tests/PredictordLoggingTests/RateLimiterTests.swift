import PredictordLogging
import Testing

@Suite("RateLimiter")
struct RateLimiterTests {
    @Test func burstBeyondTheBudgetIsSuppressedAndCountedOnTheNextAdmission() {
        var limiter = RateLimiter(burst: 3, interval: 10)
        let first = (0..<3).map { _ in limiter.admit(key: "wrong_dimension", now: 100) }
        #expect(first.allSatisfy { $0 == .init(isAdmitted: true, suppressed: 0) })
        for _ in 0..<1234 {
            #expect(limiter.admit(key: "wrong_dimension", now: 100.5) == .init(isAdmitted: false, suppressed: 0))
        }
        // One token comes back after interval / burst seconds.
        let next = limiter.admit(key: "wrong_dimension", now: 100 + 10.0 / 3 + 0.01)
        #expect(next == .init(isAdmitted: true, suppressed: 1234))
        #expect(next.note == " (suppressed 1234 similar)")
        #expect(limiter.admit(key: "wrong_dimension", now: 104) == .init(isAdmitted: false, suppressed: 0))
    }

    @Test func keysAreIndependent() {
        var limiter = RateLimiter(burst: 1, interval: 60)
        #expect(limiter.admit(key: "a", now: 0).isAdmitted)
        #expect(!limiter.admit(key: "a", now: 1).isAdmitted)
        #expect(limiter.admit(key: "b", now: 1).isAdmitted)
        #expect(!limiter.admit(key: "b", now: 2).isAdmitted)
        #expect(!limiter.admit(key: "b", now: 3).isAdmitted)
        #expect(limiter.admit(key: "a", now: 61) == .init(isAdmitted: true, suppressed: 1))
        #expect(limiter.admit(key: "b", now: 61) == .init(isAdmitted: true, suppressed: 2))
    }

    @Test func budgetRefillsWithTimeButNotBeyondTheBurst() {
        var limiter = RateLimiter(burst: 5, interval: 1)
        for _ in 0..<5 { #expect(limiter.admit(key: "k", now: 0).isAdmitted) }
        #expect(!limiter.admit(key: "k", now: 0).isAdmitted)
        // Half the interval refills half the bucket (2.5 tokens → 2 lines).
        #expect(limiter.admit(key: "k", now: 0.5) == .init(isAdmitted: true, suppressed: 1))
        #expect(limiter.admit(key: "k", now: 0.5).isAdmitted)
        #expect(!limiter.admit(key: "k", now: 0.5).isAdmitted)
        // A long pause refills only up to the burst.
        let afterPause = (0..<7).map { _ in limiter.admit(key: "k", now: 1000).isAdmitted }
        #expect(afterPause == [true, true, true, true, true, false, false])
    }

    @Test func clockGoingBackwardsDoesNotRefill() {
        var limiter = RateLimiter(burst: 1, interval: 1)
        #expect(limiter.admit(key: "k", now: 50).isAdmitted)
        #expect(!limiter.admit(key: "k", now: 10).isAdmitted)
        #expect(!limiter.admit(key: "k", now: 50.5).isAdmitted)
        #expect(limiter.admit(key: "k", now: 51) == .init(isAdmitted: true, suppressed: 2))
    }

    @Test func suppressedNoteIsEmptyWithoutSuppressions() {
        #expect(RateLimiter.Admission(isAdmitted: true, suppressed: 0).note == "")
        #expect(RateLimiter.Admission(isAdmitted: false, suppressed: 0).note == "")
    }

    @Test func drainReportsAndResetsPendingCounts() {
        var limiter = RateLimiter(burst: 1, interval: 10)
        _ = limiter.admit(key: "b", now: 0)
        _ = limiter.admit(key: "a", now: 0)
        for _ in 0..<4 { _ = limiter.admit(key: "b", now: 1) }
        _ = limiter.admit(key: "a", now: 1)
        let drained = limiter.drainSuppressed()
        #expect(drained.map(\.key) == ["a", "b"])
        #expect(drained.map(\.count) == [1, 4])
        #expect(limiter.drainSuppressed().isEmpty)
        #expect(limiter.admit(key: "b", now: 20) == .init(isAdmitted: true, suppressed: 0))
    }

    @Test func manyKeysShareTheOverflowBucketSoMemoryStaysBounded() {
        var limiter = RateLimiter(burst: 1, interval: 10, maxKeys: 4)
        for index in 0..<4 { #expect(limiter.admit(key: "k\(index)", now: 0).isAdmitted) }
        // Buckets are not full yet, so new keys go to the shared overflow bucket.
        #expect(limiter.admit(key: "new1", now: 1).isAdmitted)
        #expect(!limiter.admit(key: "new2", now: 1).isAdmitted)
        #expect(limiter.trackedKeys == 5)
        for index in 0..<1000 { _ = limiter.admit(key: "flood\(index)", now: 2) }
        #expect(limiter.trackedKeys == 5)
        // Once the old buckets have refilled they are dropped and new keys get their own bucket again.
        #expect(limiter.admit(key: "late", now: 30) == .init(isAdmitted: true, suppressed: 0))
        #expect(limiter.trackedKeys <= 4)
    }

    @Test func monotonicSecondsAdvance() {
        let first = RateLimiter.monotonicSeconds()
        let second = RateLimiter.monotonicSeconds()
        #expect(second >= first)
        #expect(first > 0)
    }
}
