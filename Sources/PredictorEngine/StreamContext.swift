import PredictorCore

/// One stream's fast memory and bookkeeping: its model, predictor state, last sequence number and activity.
///
/// Stored out of line (one heap box, copy-on-write), so the engine's dictionary holds an 8-byte reference per
/// stream instead of the largest predictor's inline size: with 10⁶ contexts that keeps the table (and the moment
/// it doubles) small. Mutation never copies unless a checkpoint snapshot still shares the box.
public struct StreamContext: Sendable {
    private var storage: Storage

    public init(model: Int, predictor: AnyPredictor, lastSeq: UInt64? = nil, lastActive: Double = 0, contributed: Bool = false) {
        storage = Storage(model: model, predictor: predictor, lastSeq: lastSeq, lastActive: lastActive, contributed: contributed)
    }

    /// Index of the serving model in the engine's model list.
    public var model: Int {
        get { storage.model }
        set { unique().model = newValue }
    }

    public var predictor: AnyPredictor {
        get { storage.predictor }
        _modify { yield &unique().predictor }
    }

    /// Highest accepted `seq` (nil until the publisher sends one).
    public var lastSeq: UInt64? {
        get { storage.lastSeq }
        set { unique().lastSeq = newValue }
    }

    /// Time of the last accepted message, in the engine's clock (seconds); drives idle eviction.
    public var lastActive: Double {
        get { storage.lastActive }
        set { unique().lastActive = newValue }
    }

    /// Whether this context's fast memory has been absorbed into its model's learned slow memory (once per context).
    public var contributed: Bool {
        get { storage.contributed }
        set { unique().contributed = newValue }
    }

    /// The storage, copied first if another value (e.g. a checkpoint snapshot) shares it.
    @inline(__always)
    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    /// The fields of one context.
    ///
    /// `@unchecked Sendable` is safe: the class is private to `StreamContext`, which mutates it only through
    /// `unique()`, i.e. while it holds the only reference. A box reachable from two values (which may live on
    /// different threads) has a reference count ≥ 2 and is never written, so no box is ever shared and mutated.
    private final class Storage: @unchecked Sendable {
        var model: Int
        var predictor: AnyPredictor
        var lastSeq: UInt64?
        var lastActive: Double
        var contributed: Bool

        init(model: Int, predictor: AnyPredictor, lastSeq: UInt64?, lastActive: Double, contributed: Bool) {
            self.model = model
            self.predictor = predictor
            self.lastSeq = lastSeq
            self.lastActive = lastActive
            self.contributed = contributed
        }

        func copy() -> Storage {
            Storage(model: model, predictor: predictor, lastSeq: lastSeq, lastActive: lastActive, contributed: contributed)
        }
    }
}
