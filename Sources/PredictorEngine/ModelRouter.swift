/// Picks the model for a stream id: the definition whose `match` is the longest prefix of the id.
public struct ModelRouter: Sendable, Equatable {
    /// Indices into `models`, longest prefix first.
    private let order: [Int]
    private let prefixes: [[UInt8]]

    public init(models: [ModelDefinition]) {
        let prefixes = models.map { Array($0.match.utf8) }
        self.prefixes = prefixes
        order = models.indices.sorted { (prefixes[$0].count, $1) > (prefixes[$1].count, $0) }
    }

    /// Index of the model serving `stream`, or nil when no prefix matches.
    public func route(_ stream: String) -> Int? {
        let id = stream.utf8
        for i in order where id.starts(with: prefixes[i]) { return i }
        return nil
    }
}
