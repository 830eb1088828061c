/// Fast memory of the `softmax` model: a ring buffer of the last W (key, value) pairs, the lag history, the running
/// moments of every key and value stored, the raw values the differencing needs, and the count.
///
/// Keys and values grow with the window up to W pairs (then slots are overwritten oldest first); encodes exactly.
public struct SoftmaxState: Sendable, Equatable, BinaryCodable {
    /// Components p of every key.
    public let featureCount: Int
    /// Components q of every value.
    public let outputs: Int
    /// Capacity W of the ring buffer, in pairs.
    public let window: Int
    /// Keys x_i, `fill × featureCount` entries, slot-major (slot s occupies `s·p ..< (s+1)·p`).
    public internal(set) var keys: [Double]
    /// Values y_i, `fill × outputs` entries, slot-major.
    public internal(set) var values: [Double]
    /// The slot the next pair is written to: `fill` while the window is filling, then the oldest pair's slot.
    public internal(set) var head: Int
    /// Pairs held, in 0...window.
    public internal(set) var fill: Int
    /// The last `lags` series values (autoregressive layouts only; nil for explicit features).
    public internal(set) var history: LagHistory?
    /// Observations absorbed since the context began (or was reset).
    public internal(set) var count: Int
    /// Running mean and variance of every key and every value stored since the context began (not only the window).
    public internal(set) var keyMoments: RunningMoments
    public internal(set) var valueMoments: RunningMoments
    /// The last d + sD raw series values, newest first (forecasting form with differencing only; nil otherwise).
    public internal(set) var raw: LagHistory?

    /// An empty window for a model with these parameters.
    public init(parameters: SoftmaxParameters) {
        featureCount = parameters.featureCount
        outputs = parameters.outputs
        window = parameters.window
        keys = []
        values = []
        head = 0
        fill = 0
        count = 0
        keyMoments = RunningMoments(components: parameters.featureCount)
        valueMoments = RunningMoments(components: parameters.outputs)
        let order = parameters.options.differencingOrder
        raw = order > 0 ? LagHistory(lags: order, outputs: parameters.outputs) : nil
        if case let .autoregressive(lags, _) = parameters.layout {
            history = LagHistory(lags: lags, outputs: parameters.outputs)
        } else {
            history = nil
        }
    }

    /// Stores the pair (key, value), overwriting the oldest pair when the window is full, and adds both to the
    /// running moments; returns the slot used.
    @discardableResult
    mutating func store(key: [Double], value: [Double]) -> Int {
        key.withUnsafeBufferPointer { keyMoments.add($0.baseAddress!) }
        value.withUnsafeBufferPointer { valueMoments.add($0.baseAddress!) }
        let slot = head
        if fill < window {
            keys.append(contentsOf: key)
            values.append(contentsOf: value)
            fill += 1
        } else {
            let p = featureCount, q = outputs
            keys.withUnsafeMutableBufferPointer { k in
                for j in 0..<p { k[slot * p + j] = key[j] }
            }
            values.withUnsafeMutableBufferPointer { v in
                for j in 0..<q { v[slot * q + j] = value[j] }
            }
        }
        head = slot + 1 == window ? 0 : slot + 1
        return slot
    }

    /// Empties the window, the history and the count (keeping buffer capacity).
    mutating func clear() {
        keys.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        head = 0
        fill = 0
        count = 0
        history?.clear()
        keyMoments.clear()
        valueMoments.clear()
        raw?.clear()
    }

    /// Checks the shapes against `parameters` (what ``SoftmaxPredictor/init(parameters:state:)`` requires).
    func validate(against parameters: SoftmaxParameters) throws(StateDecodingError) {
        guard featureCount == parameters.featureCount, outputs == parameters.outputs, window == parameters.window else {
            throw StateDecodingError(
                "softmax state has p=\(featureCount), q=\(outputs), W=\(window); parameters need "
                    + "p=\(parameters.featureCount), q=\(parameters.outputs), W=\(parameters.window)")
        }
        switch (parameters.layout, history) {
        case let (.autoregressive(lags, _), history?):
            guard history.lags == lags, history.outputs == outputs else {
                throw StateDecodingError("softmax lag history has \(history.lags) lag(s) of \(history.outputs); parameters need \(lags) of \(outputs)")
            }
        case (.explicit, nil):
            break
        default:
            throw StateDecodingError("softmax state's lag history does not match the parameters' feature layout")
        }
        guard keyMoments.components == featureCount, valueMoments.components == outputs else {
            throw StateDecodingError("softmax running moments have \(keyMoments.components) key and \(valueMoments.components) value components; parameters need \(featureCount) and \(outputs)")
        }
        let order = parameters.options.differencingOrder
        guard (raw?.lags ?? 0) == order, raw.map({ $0.outputs == outputs }) ?? true else {
            throw StateDecodingError("softmax state keeps \(raw?.lags ?? 0) raw value(s); the model's differencing needs \(order)")
        }
    }

    /// Version 2 added the running moments and the raw values; version 1 (no forecasting form yet) is still read,
    /// its moments rebuilt from the window (the pairs before the window are no longer known).
    private static let version: UInt8 = 2

    public func encode(to writer: inout ByteWriter) {
        writer.write(Self.version)
        writer.write(featureCount); writer.write(outputs); writer.write(window)
        writer.write(head); writer.write(fill); writer.write(count)
        writer.write(keys)
        writer.write(values)
        if let history {
            writer.write(true)
            history.encode(to: &writer)
        } else {
            writer.write(false)
        }
        keyMoments.encode(to: &writer)
        valueMoments.encode(to: &writer)
        if let raw {
            writer.write(true)
            raw.encode(to: &writer)
        } else {
            writer.write(false)
        }
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        let version = try reader.readUInt8()
        guard version == 1 || version == Self.version else {
            throw StateDecodingError("unknown softmax state version \(version) (this build reads 1 and 2)")
        }
        featureCount = try reader.readInt()
        outputs = try reader.readInt()
        window = try reader.readInt()
        head = try reader.readInt()
        fill = try reader.readInt()
        count = try reader.readInt()
        guard featureCount >= 1, outputs >= 1, window >= 1, fill >= 0, fill <= window, count >= fill,
              head >= 0, head < window, fill == window || head == fill
        else { throw StateDecodingError("inconsistent softmax state header") }
        let (keyCount, o1) = fill.multipliedReportingOverflow(by: featureCount)
        let (valueCount, o2) = fill.multipliedReportingOverflow(by: outputs)
        guard !o1, !o2 else { throw StateDecodingError("softmax window too large") }
        keys = try reader.readDoubles(expectedCount: keyCount)
        values = try reader.readDoubles(expectedCount: valueCount)
        guard keys.allSatisfy(\.isFinite), values.allSatisfy(\.isFinite) else {
            throw StateDecodingError("softmax window holds non-finite values")
        }
        history = try reader.readBool() ? try LagHistory(from: &reader) : nil
        if version == 1 {
            keyMoments = RunningMoments(components: featureCount)
            valueMoments = RunningMoments(components: outputs)
            raw = nil
            let start = fill == window ? head : 0
            for k in 0..<fill {
                let slot = (start + k) % window
                keys.withUnsafeBufferPointer { keyMoments.add($0.baseAddress! + slot * featureCount) }
                values.withUnsafeBufferPointer { valueMoments.add($0.baseAddress! + slot * outputs) }
            }
        } else {
            keyMoments = try RunningMoments(from: &reader)
            valueMoments = try RunningMoments(from: &reader)
            raw = try reader.readBool() ? try LagHistory(from: &reader) : nil
        }
    }
}
