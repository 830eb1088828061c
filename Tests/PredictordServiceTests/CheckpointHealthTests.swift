@testable import PredictordService
import Testing

/// The failure-streak bookkeeping behind "log once per streak, once on recovery" and the STATUS= text.
@Suite("CheckpointHealth")
struct CheckpointHealthTests {
    @Test("after a restore and before the first write, STATUS says restored, not 'no checkpoint yet'")
    func restoredBeforeFirstWrite() {
        var health = CheckpointHealth()
        health.restoredAt = 100
        #expect(health.statusText() == "restored checkpoint of 1970-01-01T00:01:40Z, none written yet")
        _ = health.recordSuccess(at: 160)
        #expect(health.statusText() == "checkpoint ok at 1970-01-01T00:02:40Z")
    }

    @Test("one error per streak, a recovery with the attempt count and start time, then ok again")
    func streakTransitions() {
        var health = CheckpointHealth()
        #expect(health.statusText() == "no checkpoint yet")
        #expect(health.recordSuccess(at: 100) == .ok)
        #expect(health.statusText() == "checkpoint ok at 1970-01-01T00:01:40Z")
        #expect(health.recordFailure("disk full", at: 160) == .startedFailing)
        #expect(health.recordFailure("disk full", at: 220) == .stillFailing)
        #expect(health.recordFailure("read-only", at: 280) == .stillFailing)
        #expect(health.isFailing && health.failures == 3)
        #expect(health.statusText() == "checkpoint failing since 1970-01-01T00:02:40Z (3 attempts): read-only")
        #expect(health.recordSuccess(at: 340) == .recovered(failures: 3, since: 160))
        #expect(!health.isFailing && health.failures == 0 && health.lastError == nil)
        #expect(health.recordSuccess(at: 400) == .ok)
        #expect(health.recordFailure("again", at: 460) == .startedFailing)
        #expect(health.statusText() == "checkpoint failing since 1970-01-01T00:07:40Z (1 attempt): again")
    }

    @Test("a long reason is cut so STATUS= stays one readable line")
    func longReasonIsCut() {
        var health = CheckpointHealth()
        _ = health.recordFailure(String(repeating: "x", count: 500), at: 0)
        let text = health.statusText(maxReason: 20)
        #expect(text.hasSuffix(": " + String(repeating: "x", count: 19) + "…"), "\(text)")
    }
}
