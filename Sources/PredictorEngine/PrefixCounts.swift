/// Live contexts per model `match` prefix, kept in step with the context table for `limits.max_contexts_per_prefix`.
struct PrefixCounts: Sendable {
    private var counts: [String: Int] = [:]

    /// Live contexts of models with this `match`.
    subscript(match: String) -> Int { counts[match] ?? 0 }

    mutating func add(_ match: String) { counts[match, default: 0] += 1 }

    mutating func remove(_ match: String) {
        guard let count = counts[match] else { return }
        counts[match] = count > 1 ? count - 1 : nil
    }

    mutating func removeAll() { counts.removeAll() }
}
