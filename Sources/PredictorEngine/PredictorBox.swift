import PredictorCore

/// The heap cell holding one context's predictor inside ``AnyPredictor``: copy-on-write, so moving an
/// `AnyPredictor` (in and out of its enum case, or in a dictionary) moves one reference instead of a 100–180-byte
/// payload, and stepping mutates the predictor in place.
public final class PredictorBox<P: OnlinePredictor>: @unchecked Sendable {
    /// The predictor. `@exclusivity(unchecked)`: the only writer is ``AnyPredictor``, under the uniqueness rule below,
    /// so the dynamic exclusivity check (a runtime call per step) could never fire.
    @exclusivity(unchecked) public internal(set) var value: P

    public init(_ value: P) { self.value = value }

    /// `box`, first replaced by a private copy if another value shares it (copy-on-write).
    ///
    /// `@unchecked Sendable` is safe because `value` is written only through the box this returns, i.e. while the
    /// caller holds the only reference: a box reachable from two `AnyPredictor` values (possibly on two threads, e.g.
    /// a checkpoint snapshot) has a reference count ≥ 2 and is never written.
    @inline(__always)
    static func unique(_ box: inout PredictorBox) -> PredictorBox {
        if !isKnownUniquelyReferenced(&box) { box = PredictorBox(box.value) }
        return box
    }
}
