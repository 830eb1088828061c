/// Live contexts per model `match` prefix, kept in step with the context table for `limits.max_contexts_per_prefix`.
///
/// Keyed by the prefix's exact bytes, like the contexts (two canonically equivalent prefixes are two prefixes).
struct PrefixCounts: Sendable {
    private var counts: [StreamKey: Int] = [:]

    /// Live contexts of models with this `match`.
    subscript(match: String) -> Int { counts[StreamKey(match)] ?? 0 }

    mutating func add(_ match: String) { counts[StreamKey(match), default: 0] += 1 }

    mutating func remove(_ match: String) {
        let key = StreamKey(match)
        guard let count = counts[key] else { return }
        counts[key] = count > 1 ? count - 1 : nil
    }

    mutating func removeAll() { counts.removeAll() }
}
