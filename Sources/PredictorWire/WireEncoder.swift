import PredictorCore

/// Encodes predictions (the daemon's output) and observations (for `publish` and tests) in protocol v1.
///
/// Each call clears `out` and fills it, reusing its capacity, so a caller that keeps one buffer does not allocate per message.
public enum WireEncoder {
    /// Most components a vector may have: binary v1 counts are u16, and JSON decoders take the same limit.
    public static let maxComponents = BinaryV1.maxCount

    /// Encodes a prediction with its envelope (see ``prediction(_:stream:model:seq:ts:encoding:into:)``).
    public static func prediction(_ p: borrowing OutboundPrediction, encoding: WireEncoding, into out: inout [UInt8]) throws(WireError) {
        try prediction(p.prediction, stream: p.stream, model: p.model, seq: p.seq, ts: p.ts, encoding: encoding, into: &out)
        if p.isState { markState(encoding: encoding, &out) }
    }

    /// Encodes a prediction without building an ``OutboundPrediction``.
    ///
    /// A real prediction has q = `mean.count` components; `variance`/`error` are read as NaN past their ends.
    /// A symbol prediction writes `mean[0]`, `probabilities` and `surprise`, plus `variance[0]` as `var` in JSON only.
    /// JSON omits `var`/`error` when all NaN and `surprise` when NaN, writing other NaNs (and infinities) as `null`;
    /// binary keeps exact bits.
    /// Throws `oversized` only for a binary prediction with more than 65535 components.
    public static func prediction(_ prediction: borrowing Prediction, stream: String, model: String, seq: UInt64?, ts: Double?,
                                  encoding: WireEncoding, into out: inout [UInt8]) throws(WireError) {
        switch encoding {
        case .json:
            jsonPrediction(prediction, stream: stream, model: model, seq: seq, ts: ts, into: &out)
        case .binary:
            try binaryPrediction(prediction, seq: seq, ts: ts, into: &out)
        }
    }

    /// Encodes an inbound message, after checking that the decoder will take it.
    ///
    /// Throws `non_finite` for NaN/infinite values, `bad_field` for empty vectors or a symbol outside 0...UInt32.max,
    /// `oversized` for over 65535 components or JSON over 64 KiB. `stream` is written in JSON only (binary has no field for it).
    public static func observation(_ m: InboundMessage, encoding: WireEncoding, into out: inout [UInt8]) throws(WireError) {
        try validate(m)
        switch encoding {
        case .json:
            jsonObservation(m, into: &out)
            guard out.count <= WireDecoder.defaultMaxJSONBytes else {
                throw WireError(.oversized, "encoded JSON is \(out.count) bytes, over the \(WireDecoder.defaultMaxJSONBytes)-byte limit; use binary v1 for large vectors")
            }
        case .binary:
            binaryObservation(m, into: &out)
        }
    }

    // MARK: Array-returning conveniences

    /// ``prediction(_:encoding:into:)`` into a new array.
    public static func prediction(_ p: OutboundPrediction, encoding: WireEncoding) throws(WireError) -> [UInt8] {
        var out: [UInt8] = []
        try prediction(p, encoding: encoding, into: &out)
        return out
    }

    /// ``observation(_:encoding:into:)`` into a new array.
    public static func observation(_ m: InboundMessage, encoding: WireEncoding) throws(WireError) -> [UInt8] {
        var out: [UInt8] = []
        try observation(m, encoding: encoding, into: &out)
        return out
    }

    // MARK: Predictions

    /// Marks an encoded prediction as a state answer: `"state":true` as the last JSON field, or binary flag bit 3.
    private static func markState(encoding: WireEncoding, _ out: inout [UInt8]) {
        switch encoding {
        case .json:
            out.removeLast()
            JSONWriter.raw(",\"state\":true}", to: &out)
        case .binary:
            out[6] |= UInt8(BinaryV1.flagState)
        }
    }

    private static func jsonPrediction(_ p: borrowing Prediction, stream: String, model: String, seq: UInt64?, ts: Double?,
                                       into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        JSONWriter.raw("{\"stream\":", to: &out)
        JSONWriter.string(stream, to: &out)
        if let seq {
            JSONWriter.raw(",\"seq\":", to: &out)
            JSONWriter.unsigned(seq, to: &out)
        }
        if let ts {
            JSONWriter.raw(",\"ts\":", to: &out)
            JSONWriter.number(ts, to: &out)
        }
        JSONWriter.raw(",\"model\":", to: &out)
        JSONWriter.string(model, to: &out)
        JSONWriter.raw(",\"n\":", to: &out)
        JSONWriter.unsigned(UInt64(clamping: p.count), to: &out)
        switch p.kind {
        case .real:
            let q = p.mean.count
            JSONWriter.raw(",\"mean\":", to: &out)
            JSONWriter.vector(p.mean, count: q, to: &out)
            if hasValue(p.variance, count: q) {
                JSONWriter.raw(",\"var\":", to: &out)
                JSONWriter.vector(p.variance, count: q, to: &out)
            }
            if hasValue(p.error, count: q) {
                JSONWriter.raw(",\"error\":", to: &out)
                JSONWriter.vector(p.error, count: q, to: &out)
            }
            jsonIntervals(p, outputs: q, into: &out)
            jsonHorizon(p, into: &out)
            if !p.surprise.isNaN {  // Gaussian-emission HMMs: −log p(y | past) of the value just absorbed (JSON only)
                JSONWriter.raw(",\"surprise\":", to: &out)
                JSONWriter.number(p.surprise, to: &out)
            }
            if p.leader >= 0 {
                JSONWriter.raw(",\"leader\":", to: &out)
                JSONWriter.unsigned(UInt64(p.leader), to: &out)
                JSONWriter.raw(",\"leader_weight\":", to: &out)
                JSONWriter.number(p.leaderWeight, to: &out)
            }
        case .symbol:
            JSONWriter.raw(",\"mean\":", to: &out)
            JSONWriter.number(p.mean.first ?? .nan, to: &out)
            if let v = p.variance.first, !v.isNaN {
                JSONWriter.raw(",\"var\":", to: &out)
                JSONWriter.number(v, to: &out)
            }
            jsonIntervals(p, outputs: 1, into: &out)
            jsonHorizon(p, into: &out)
            JSONWriter.raw(",\"probs\":", to: &out)
            JSONWriter.array(p.probabilities, count: p.probabilities.count, to: &out)
            if !p.surprise.isNaN {
                JSONWriter.raw(",\"surprise\":", to: &out)
                JSONWriter.number(p.surprise, to: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    /// `"interval":{"0.9":[lower,upper],…}` (each bound a number, or an array when q > 1), omitted when all NaN.
    private static func jsonIntervals(_ p: borrowing Prediction, outputs q: Int, into out: inout [UInt8]) {
        let levels = p.intervalLevels.count
        guard levels > 0, p.interval.count == 2 * q * levels, hasValue(p.interval, count: p.interval.count) else { return }
        JSONWriter.raw(",\"interval\":", to: &out)
        levelObject(p.intervalLevels, p.interval, width: q, forceArrays: false, into: &out)
    }

    /// `{"0.9":[lower,upper],…}`: per level, `width` lower then `width` upper values of `bounds`.
    private static func levelObject(_ levels: [Double], _ bounds: [Double], width: Int, forceArrays: Bool, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for l in 0..<levels.count {
            if l > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            JSONWriter.number(levels[l], to: &out)
            JSONWriter.raw("\":[", to: &out)
            bound(bounds, from: 2 * width * l, count: width, into: &out, forceArray: forceArrays)
            out.append(UInt8(ascii: ","))
            bound(bounds, from: 2 * width * l + width, count: width, into: &out, forceArray: forceArrays)
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "}"))
    }

    /// `"horizon":{"mean":[…h…],"var":[…],"interval":{"0.9":[[lower…],[upper…]]}}` for multi-step forecasts.
    private static func jsonHorizon(_ p: borrowing Prediction, into out: inout [UInt8]) {
        let h = p.horizonMean.count
        guard h > 0 else { return }
        JSONWriter.raw(",\"horizon\":{\"mean\":", to: &out)
        JSONWriter.array(p.horizonMean, count: h, to: &out)
        JSONWriter.raw(",\"var\":", to: &out)
        JSONWriter.array(p.horizonVariance, count: h, to: &out)
        let levels = p.intervalLevels.count
        if levels > 0, p.horizonInterval.count == 2 * h * levels {
            JSONWriter.raw(",\"interval\":", to: &out)
            levelObject(p.intervalLevels, p.horizonInterval, width: h, forceArrays: true, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// One side of an interval: a number when q = 1, else an array of q numbers.
    private static func bound(_ values: [Double], from start: Int, count q: Int, into out: inout [UInt8], forceArray: Bool = false) {
        if q == 1, !forceArray { JSONWriter.number(values[start], to: &out); return }
        out.append(UInt8(ascii: "["))
        for j in 0..<q {
            if j > 0 { out.append(UInt8(ascii: ",")) }
            JSONWriter.number(values[start + j], to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// Whether any of the first `count` values is not NaN (otherwise the JSON field is omitted).
    private static func hasValue(_ values: [Double], count: Int) -> Bool {
        values.prefix(count).contains { !$0.isNaN }
    }

    private static func binaryPrediction(_ p: borrowing Prediction, seq: UInt64?, ts: Double?, into out: inout [UInt8]) throws(WireError) {
        let body = BinaryV1.headerSize
        let n = UInt64(clamping: p.count)
        switch p.kind {
        case .real:
            let q = p.mean.count
            try checkCount(q, "mean")
            let end = body + 8 + 24 * q, levels = intervalLevels(p, outputs: q)
            BinaryWriter.fill(&out, count: end + intervalBytes(levels: levels, outputs: q), p.mean, p.variance, p.error) { w, mean, variance, error in
                w.header(kind: .realPrediction, ny: q, nx: 0, seq: seq, ts: ts, intervals: levels > 0)
                w.u64(n, at: body)
                w.doubles(mean, count: q, at: body + 8)
                w.doubles(variance, count: q, at: body + 8 + 8 * q)
                w.doubles(error, count: q, at: body + 8 + 16 * q)
            }
            if levels > 0 { writeIntervals(p, levels: levels, outputs: q, at: end, into: &out) }
        case .symbol:
            let m = p.probabilities.count
            try checkCount(m, "probs")
            let surprise = p.surprise
            let end = body + 8 + 8 * m + 16, levels = intervalLevels(p, outputs: 1)
            defer { if levels > 0 { writeIntervals(p, levels: levels, outputs: 1, at: end, into: &out) } }
            BinaryWriter.fill(&out, count: end + intervalBytes(levels: levels, outputs: 1), p.probabilities, p.mean, []) { w, probabilities, mean, _ in
                w.header(kind: .symbolPrediction, ny: m, nx: 0, seq: seq, ts: ts, intervals: levels > 0)
                w.u64(n, at: body)
                w.doubles(probabilities, count: m, at: body + 8)
                w.f64(mean.isEmpty ? .nan : mean[0], at: body + 8 + 8 * m)
                w.f64(surprise, at: body + 16 + 8 * m)
            }
        }
    }

    /// Interval levels to write: the prediction's, when its `interval` array has their size (else none).
    private static func intervalLevels(_ p: borrowing Prediction, outputs q: Int) -> Int {
        let l = p.intervalLevels.count
        return l > 0 && p.interval.count == 2 * q * l ? l : 0
    }

    /// Bytes of the interval block (flag bit 2): u64 level count, then per level f64 level, q lower, q upper.
    private static func intervalBytes(levels: Int, outputs q: Int) -> Int { levels > 0 ? 8 + levels * 8 * (1 + 2 * q) : 0 }

    private static func writeIntervals(_ p: borrowing Prediction, levels: Int, outputs q: Int, at start: Int, into out: inout [UInt8]) {
        let levelValues = p.intervalLevels, bounds = p.interval
        out.withUnsafeMutableBytes { raw in
            let w = BinaryWriter(bytes: raw)
            w.u64(UInt64(levels), at: start)
            var offset = start + 8
            for l in 0..<levels {
                w.f64(levelValues[l], at: offset)
                for i in 0..<(2 * q) { w.f64(bounds[l * 2 * q + i], at: offset + 8 + 8 * i) }
                offset += 8 * (1 + 2 * q)
            }
        }
    }

    private static func checkCount(_ count: Int, _ field: String) throws(WireError) {
        guard count <= maxComponents else {
            throw WireError(.oversized, "'\(field)' has \(count) components; binary v1 carries at most \(maxComponents)")
        }
    }

    // MARK: Observations

    /// Checks what the decoder would reject, so `publish` reports it before sending.
    private static func validate(_ m: InboundMessage) throws(WireError) {
        if let ts = m.ts, !ts.isFinite {
            throw WireError(.nonFinite, "'ts' is \(ts); send a finite timestamp or none")
        }
        switch m.body {
        case let .observation(.series(y)):
            try checkVector(y, "y")
        case let .observation(.labelled(x, y)):
            try checkVector(x, "x")
            try checkVector(y, "y")
        case let .query(x):
            try checkVector(x, "x")
        case let .observation(.symbol(z)):
            guard z >= 0, z <= Int(UInt32.max) else {
                throw WireError(.badField, "'z' is \(z); a symbol must be an integer from 0 to \(UInt32.max)")
            }
        case .reset, .state:
            break
        }
    }

    private static func checkVector(_ values: [Double], _ field: String) throws(WireError) {
        guard !values.isEmpty else { throw WireError(.badField, "'\(field)' is empty; send at least one number") }
        try checkCount(values.count, field)
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw WireError(.nonFinite, "'\(field)[\(i)]' is \(values[i]); only finite numbers can be sent")
        }
    }

    private static func jsonObservation(_ m: InboundMessage, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.append(UInt8(ascii: "{"))
        var first = true
        func key(_ name: StaticString) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONWriter.raw(name, to: &out)
        }
        if let stream = m.stream {
            key("\"stream\":")
            JSONWriter.string(stream, to: &out)
        }
        if let seq = m.seq {
            key("\"seq\":")
            JSONWriter.unsigned(seq, to: &out)
        }
        if let ts = m.ts {
            key("\"ts\":")
            JSONWriter.number(ts, to: &out)
        }
        switch m.body {
        case let .observation(.series(y)):
            key("\"y\":")
            JSONWriter.vector(y, count: y.count, to: &out)
        case let .observation(.labelled(x, y)):
            key("\"x\":")
            JSONWriter.array(x, count: x.count, to: &out)
            key("\"y\":")
            JSONWriter.vector(y, count: y.count, to: &out)
        case let .query(x):
            key("\"x\":")
            JSONWriter.array(x, count: x.count, to: &out)
        case let .observation(.symbol(z)):
            key("\"z\":")
            JSONWriter.unsigned(UInt64(z), to: &out)
        case .reset:
            key("\"reset\":true")
        case .state:
            key("\"state\":true")
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func binaryObservation(_ m: InboundMessage, into out: inout [UInt8]) {
        let body = BinaryV1.headerSize
        switch m.body {
        case let .observation(.series(y)):
            BinaryWriter.fill(&out, count: body + 8 * y.count) { w in
                w.header(kind: .series, ny: y.count, nx: 0, seq: m.seq, ts: m.ts)
                w.doubles(y, count: y.count, at: body)
            }
        case let .observation(.labelled(x, y)):
            BinaryWriter.fill(&out, count: body + 8 * (x.count + y.count)) { w in
                w.header(kind: .labelled, ny: y.count, nx: x.count, seq: m.seq, ts: m.ts)
                w.doubles(x, count: x.count, at: body)
                w.doubles(y, count: y.count, at: body + 8 * x.count)
            }
        case let .query(x):
            BinaryWriter.fill(&out, count: body + 8 * x.count) { w in
                w.header(kind: .query, ny: 0, nx: x.count, seq: m.seq, ts: m.ts)
                w.doubles(x, count: x.count, at: body)
            }
        case let .observation(.symbol(z)):
            BinaryWriter.fill(&out, count: body + 4) { w in
                w.header(kind: .symbol, ny: 0, nx: 0, seq: m.seq, ts: m.ts)
                w.u32(UInt32(z), at: body)
            }
        case .reset:
            BinaryWriter.fill(&out, count: body) { w in
                w.header(kind: .reset, ny: 0, nx: 0, seq: m.seq, ts: m.ts)
            }
        case .state:
            BinaryWriter.fill(&out, count: body) { w in
                w.header(kind: .state, ny: 0, nx: 0, seq: m.seq, ts: m.ts)
            }
        }
    }
}
