#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-key token buckets for log lines: bursts of up to `burst` lines per key, refilled at `burst` per `interval`
/// seconds. Time is passed in (`now`, seconds on any monotonic clock), so the limiter is a pure value.
public struct RateLimiter: Sendable {
    /// The decision for one message.
    public struct Admission: Sendable, Equatable {
        /// Whether to log the message.
        public var isAdmitted: Bool
        /// When admitted: messages with this key suppressed since the last admitted one (else 0).
        public var suppressed: UInt64

        public init(isAdmitted: Bool, suppressed: UInt64) {
            self.isAdmitted = isAdmitted
            self.suppressed = suppressed
        }

        /// `" (suppressed N similar)"` when admitted after suppressions, else empty; append it to the message.
        public var note: String {
            isAdmitted && suppressed > 0 ? " (suppressed \(suppressed) similar)" : ""
        }
    }

    private struct Bucket: Sendable {
        var tokens: Double
        var updated: Double
        var suppressed: UInt64
    }

    /// The key under which new keys share one bucket once `maxKeys` distinct keys are tracked.
    public static let overflowKey = "(other)"

    /// Lines admitted at once per key (the bucket capacity).
    public let burst: Int
    /// Seconds in which a bucket refills completely.
    public let interval: Double
    /// Most keys tracked; further keys share the `overflowKey` bucket (one more), so memory stays bounded.
    public let maxKeys: Int
    private var buckets: [String: Bucket] = [:]
    private var lastPrune = -Double.infinity

    /// A limiter admitting `burst` lines per key per `interval` seconds (both at least 1 and positive).
    public init(burst: Int, interval: Double, maxKeys: Int = 1024) {
        precondition(burst >= 1 && interval > 0 && maxKeys >= 1, "RateLimiter: burst >= 1, interval > 0, maxKeys >= 1")
        self.burst = burst
        self.interval = interval
        self.maxKeys = maxKeys
    }

    /// The number of keys currently tracked.
    public var trackedKeys: Int { buckets.count }

    /// Decides whether a line with `key` may be logged at `now`; a suppressed line is counted for the next admission.
    public mutating func admit(key: String, now: Double) -> Admission {
        let key = bucketKey(for: key, now: now)
        var bucket = buckets[key] ?? Bucket(tokens: Double(burst), updated: now, suppressed: 0)
        refill(&bucket, now: now)
        let admission: Admission
        if bucket.tokens >= 1 {
            bucket.tokens -= 1
            admission = Admission(isAdmitted: true, suppressed: bucket.suppressed)
            bucket.suppressed = 0
        } else {
            bucket.suppressed &+= 1
            admission = Admission(isAdmitted: false, suppressed: 0)
        }
        buckets[key] = bucket
        return admission
    }

    /// Returns the keys with suppressed lines not yet reported (sorted by key) and resets their counts, e.g. to
    /// log a summary before shutdown.
    public mutating func drainSuppressed() -> [(key: String, count: UInt64)] {
        var result: [(key: String, count: UInt64)] = []
        for key in buckets.keys.sorted() where buckets[key]!.suppressed > 0 {
            result.append((key, buckets[key]!.suppressed))
            buckets[key]!.suppressed = 0
        }
        return result
    }

    /// Seconds on the monotonic clock (`CLOCK_MONOTONIC`), a suitable `now` for `admit(key:now:)`.
    public static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    private func refill(_ bucket: inout Bucket, now: Double) {
        let elapsed = now - bucket.updated
        guard elapsed > 0 else { return }  // a clock going backwards neither refills nor drains
        bucket.tokens = min(Double(burst), bucket.tokens + elapsed * Double(burst) / interval)
        bucket.updated = now
    }

    /// `key`, or `overflowKey` when `key` is new and `maxKeys` keys are tracked even after dropping full buckets
    /// (those are equivalent to fresh ones); pruning runs at most once per `interval`.
    private mutating func bucketKey(for key: String, now: Double) -> String {
        guard buckets[key] == nil, buckets.count >= maxKeys else { return key }
        if now - lastPrune >= interval {
            lastPrune = now
            buckets = buckets.filter { entry in
                var bucket = entry.value
                refill(&bucket, now: now)
                return bucket.suppressed > 0 || bucket.tokens < Double(burst)
            }
            if buckets.count < maxKeys { return key }
        }
        return Self.overflowKey
    }
}
