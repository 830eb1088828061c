import PredictorCore

/// Binary v1 decoding: exact length checks against the header, then bounds-safe unaligned reads.
extension WireDecoder {
    /// Decodes a binary v1 observation, query, reset or state question (kinds 0–5) into `message`, refilling the vectors it already holds.
    static func binaryObservation(_ p: UnsafeRawBufferPointer, into message: inout InboundMessage) throws(WireError) {
        let h = try BinaryV1.header(p)
        guard let kind = BinaryV1.Kind(rawValue: h.kind), kind.rawValue <= BinaryV1.Kind.state.rawValue else {
            let what = BinaryV1.Kind(rawValue: h.kind).map { "a \($0.name)" } ?? "unknown"
            throw WireError(.unknownKind, "binary v1 kind \(h.kind) is \(what); observations use kinds 0 (series), 1 (labelled), 2 (query), 3 (symbol), 4 (reset) or 5 (state)")
        }
        let body = BinaryV1.headerSize
        var (x, y) = message.takeVectors()
        message = InboundMessage(body: .reset, seq: h.seq, ts: h.ts, encoding: .binary)
        switch kind {
        case .series:
            try BinaryV1.checkUnused(h.nx, "nx", kind: kind)
            try BinaryV1.checkLength(p, expected: body + 8 * h.ny, kind: kind, header: h)
            try requireComponents(h.ny, "y", "ny", kind: kind)
            try BinaryV1.doubles(p, at: body, count: h.ny, field: "y", into: &y)
            message.body = .observation(.series(y))
        case .labelled:
            try BinaryV1.checkLength(p, expected: body + 8 * (h.nx + h.ny), kind: kind, header: h)
            try requireComponents(h.nx, "x", "nx", kind: kind)
            try requireComponents(h.ny, "y", "ny", kind: kind)
            try BinaryV1.doubles(p, at: body, count: h.nx, field: "x", into: &x)
            try BinaryV1.doubles(p, at: body + 8 * h.nx, count: h.ny, field: "y", into: &y)
            message.body = .observation(.labelled(x: x, y: y))
        case .query:
            try BinaryV1.checkUnused(h.ny, "ny", kind: kind)
            try BinaryV1.checkLength(p, expected: body + 8 * h.nx, kind: kind, header: h)
            try requireComponents(h.nx, "x", "nx", kind: kind)
            try BinaryV1.doubles(p, at: body, count: h.nx, field: "x", into: &x)
            message.body = .query(x: x)
        case .symbol:
            try BinaryV1.checkUnused(h.ny, "ny", kind: kind)
            try BinaryV1.checkUnused(h.nx, "nx", kind: kind)
            try BinaryV1.checkLength(p, expected: body + 4, kind: kind, header: h)
            message.body = .observation(.symbol(Int(BinaryV1.u32(p, body))))
        case .reset, .state:
            try BinaryV1.checkUnused(h.ny, "ny", kind: kind)
            try BinaryV1.checkUnused(h.nx, "nx", kind: kind)
            try BinaryV1.checkLength(p, expected: body, kind: kind, header: h)
            if kind == .state { message.body = .state }
        case .realPrediction, .symbolPrediction:
            preconditionFailure("prediction kinds are rejected above")
        }
    }

    /// Decodes a binary v1 prediction (kinds 16 and 17); NaN (none) is accepted in mean, var, error and surprise, not in probs.
    ///
    /// Not on the wire, so decoded as empty: the model name, and a symbol prediction's variance.
    static func binaryPrediction(_ p: UnsafeRawBufferPointer, stream: String) throws(WireError) -> OutboundPrediction {
        let h = try BinaryV1.header(p)
        guard let kind = BinaryV1.Kind(rawValue: h.kind), kind == .realPrediction || kind == .symbolPrediction else {
            throw WireError(.unknownKind, "binary v1 kind \(h.kind) is not a prediction; predictions use kinds 16 (real) and 17 (symbol)")
        }
        try BinaryV1.checkUnused(h.nx, "nx", kind: kind)
        let body = BinaryV1.headerSize
        let q = h.ny
        var prediction: Prediction
        let end: Int, width: Int
        if kind == .realPrediction {
            end = body + 8 + 24 * q; width = q
        } else {
            end = body + 8 + 8 * q + 16; width = 1
        }
        var levels = 0
        if h.intervals {
            guard p.count >= end + 8 else {
                throw WireError(.malformedBinary, "binary v1 prediction sets flag bit 2 but has no interval block after byte \(end)")
            }
            let l = BinaryV1.u64(p, end)
            guard l >= 1, l <= 8 else { throw WireError(.malformedBinary, "interval block of \(l) levels; 1...8 allowed") }
            levels = Int(l)
        }
        let total = end + (levels > 0 ? 8 + levels * 8 * (1 + 2 * width) : 0)
        try BinaryV1.checkLength(p, expected: total, kind: kind, header: h)
        if kind == .realPrediction {
            let n = try count(p, at: body)
            let mean = try BinaryV1.doubles(p, at: body + 8, count: q, field: "mean", allowNaN: true)
            let variance = try BinaryV1.doubles(p, at: body + 8 + 8 * q, count: q, field: "var", allowNaN: true)
            let error = try BinaryV1.doubles(p, at: body + 8 + 16 * q, count: q, field: "error", allowNaN: true)
            prediction = Prediction(kind: .real, count: n, mean: mean, variance: variance, error: error)
        } else {
            let n = try count(p, at: body)
            let probs = try BinaryV1.doubles(p, at: body + 8, count: q, field: "probs")
            let mean = try BinaryV1.double(p, at: body + 8 + 8 * q, field: "mean", allowNaN: true)
            let surprise = try BinaryV1.double(p, at: body + 16 + 8 * q, field: "surprise", allowNaN: true)
            prediction = Prediction(kind: .symbol, count: n, mean: [mean], probabilities: probs, surprise: surprise)
        }
        var offset = end + 8
        for _ in 0..<levels {
            let level = try BinaryV1.double(p, at: offset, field: "interval level")
            guard level > 0, level < 1 else { throw WireError(.malformedBinary, "interval level \(level) outside (0, 1)") }
            prediction.intervalLevels.append(level)
            prediction.interval += try BinaryV1.doubles(p, at: offset + 8, count: 2 * width, field: "interval", allowNaN: true)
            offset += 8 * (1 + 2 * width)
        }
        var out = OutboundPrediction(stream: stream, model: "", seq: h.seq, ts: h.ts, prediction: prediction)
        out.isState = h.state
        return out
    }

    /// Throws `bad_field` for an empty vector: an observation needs at least one component.
    private static func requireComponents(_ count: Int, _ field: String, _ header: String, kind: BinaryV1.Kind) throws(WireError) {
        guard count > 0 else {
            throw WireError(.badField, "binary v1 \(kind.name) message has \(header)=0; '\(field)' needs at least one component")
        }
    }

    /// The prediction's `n` (u64) as an Int.
    private static func count(_ p: UnsafeRawBufferPointer, at offset: Int) throws(WireError) -> Int {
        let n = BinaryV1.u64(p, offset)
        guard n <= UInt64(Int.max) else {
            throw WireError(.badField, "'n' at byte \(offset) is \(n), larger than \(Int.max); send the observation count")
        }
        return Int(n)
    }
}
