import PredictorCore

/// JSON decoding of observations and predictions on top of ``JSONReader``.
///
/// Unknown fields are validated and ignored (forward compatibility); duplicate keys are rejected.
extension WireDecoder {
    /// Decodes a JSON observation object (size already checked).
    ///
    /// Body fields: `y` → series; `x`+`y` → labelled; `x` alone → query; `z` → symbol; `"reset":true` → reset.
    /// `z`, `reset` and `"state":true` (the recovery question) stand alone: combined with any other body field the
    /// message is rejected (`bad_field`).
    static func jsonObservation(_ payload: UnsafeRawBufferPointer) throws(WireError) -> InboundMessage {
        var r = JSONReader(payload)
        try r.beginObject()
        var seq: UInt64?
        var ts: Double?
        var y: [Double]?
        var x: [Double]?
        var z: UInt64?
        var reset: Bool?
        var state: Bool?
        var stream: String?
        var unknownKeys = Set<String>()
        var first = true
        while let key = try r.nextKey(first: &first) {
            switch key {
            case "seq":
                guard seq == nil else { throw r.duplicateKey(key, objectAt: 0) }
                seq = try r.readUnsignedField("seq", max: .max)
            case "ts":
                guard ts == nil else { throw r.duplicateKey(key, objectAt: 0) }
                ts = try r.readNumberField("ts")
            case "y":
                guard y == nil else { throw r.duplicateKey(key, objectAt: 0) }
                y = try r.readNumberOrArrayField("y").values
            case "x":
                guard x == nil else { throw r.duplicateKey(key, objectAt: 0) }
                x = try r.readNumberArrayField("x")
            case "z":
                guard z == nil else { throw r.duplicateKey(key, objectAt: 0) }
                z = try r.readUnsignedField("z", max: UInt64(UInt32.max))
            case "reset":
                guard reset == nil else { throw r.duplicateKey(key, objectAt: 0) }
                reset = try readTrue(&r) { "'reset' must be true, got \($0); omit 'reset' unless ending the context" }
            case "state":
                guard state == nil else { throw r.duplicateKey(key, objectAt: 0) }
                state = try readTrue(&r) { "'state' must be true, got \($0); send {\"state\":true} to ask for a stream's last seq and n" }
            case "stream":
                guard stream == nil else { throw r.duplicateKey(key, objectAt: 0) }
                let s = try r.readStringField("stream")
                try validateTopic(s, what: "'stream'")
                stream = s
            default:
                guard unknownKeys.count < JSONReader.maxUnknownKeys else { throw JSONReader.tooManyUnknownKeys() }
                guard unknownKeys.insert(key).inserted else { throw r.duplicateKey(key, objectAt: 0) }
                try r.skipValue(depth: 2)
            }
        }
        try r.expectEnd()
        if state != nil {
            let others = [y != nil ? "'y'" : nil, x != nil ? "'x'" : nil, z != nil ? "'z'" : nil, reset != nil ? "'reset'" : nil].compactMap { $0 }
            guard others.isEmpty else {
                throw WireError(.badField, "'state' cannot be combined with \(others.joined(separator: " and ")); send {\"state\":true} as its own message")
            }
            return InboundMessage(body: .state, seq: seq, ts: ts, encoding: .json, stream: stream)
        }
        return InboundMessage(body: try observationBody(y: y, x: x, z: z, reset: reset), seq: seq, ts: ts,
                              encoding: .json, stream: stream)
    }

    /// Reads a flag field that may only be `true` (`reset`, `state`); anything else is `bad_field` with `message(what it was)`.
    private static func readTrue(_ r: inout JSONReader, _ message: (String) -> String) throws(WireError) -> Bool {
        let kind = try r.peekKind()
        guard kind == .bool, try r.readBool() else { throw WireError(.badField, message(kind == .bool ? "false" : kind.name)) }
        return true
    }

    /// Turns the body fields present into a body, rejecting empty vectors and conflicting combinations.
    private static func observationBody(y: [Double]?, x: [Double]?, z: UInt64?, reset: Bool?) throws(WireError) -> InboundMessage.Body {
        if y?.isEmpty == true { throw WireError(.badField, "'y' is an empty array; send at least one number") }
        if x?.isEmpty == true { throw WireError(.badField, "'x' is an empty array; send at least one number") }
        let others = [y != nil ? "'y'" : nil, x != nil ? "'x'" : nil, z != nil ? "'z'" : nil].compactMap { $0 }
        if reset != nil {
            guard others.isEmpty else {
                throw WireError(.badField, "'reset' cannot be combined with \(others.joined(separator: " and ")); send the reset as its own message")
            }
            return .reset
        }
        if let z {
            guard others.count == 1 else {
                throw WireError(.badField, "'z' (a symbol) cannot be combined with \(others.dropLast().joined(separator: " and ")); send 'z' alone for a symbol stream, or 'y'/'x' for a real stream")
            }
            return .observation(.symbol(Int(z)))
        }
        switch (x, y) {
        case let (x?, y?): return .observation(.labelled(x: x, y: y))
        case let (nil, y?): return .observation(.series(y))
        case let (x?, nil): return .query(x: x)
        case (nil, nil):
            throw WireError(.badField, "the object has no observation; send 'y' (series), 'x' and 'y' (labelled), 'x' (query), 'z' (symbol) or \"reset\":true")
        }
    }

    /// ``validateTopic(_:what:)`` for a decoded string.
    private static func validateTopic(_ s: String, what: String) throws(WireError) {
        var s = s
        try s.withUTF8 { b in Result { () throws(WireError) in try validateTopic(UnsafeRawBufferPointer(b), what: what) } }.get()
    }

    /// Decodes a JSON prediction as written by ``WireEncoder``; `probs` present means a symbol prediction.
    ///
    /// `null` reads as NaN (none) in `mean`, `var`, `error` and `surprise`, as the encoder writes it; `probs` must be numbers.
    /// A symbol prediction may carry `var` (one number, the variance of the symbol's value); without it its variance is empty.
    static func jsonPrediction(_ payload: UnsafeRawBufferPointer, stream: String) throws(WireError) -> OutboundPrediction {
        var r = JSONReader(payload)
        try r.beginObject()
        var streamField: String?
        var seq: UInt64?
        var ts: Double?
        var model: String?
        var n: UInt64?
        var mean: [Double]?
        var variance: [Double]?
        var probs: [Double]?
        var surprise: Double?
        var error: [Double]?
        var interval: (levels: [Double], bounds: [Double])?
        var horizon: (mean: [Double], variance: [Double], interval: [Double])?
        var leader: UInt64?, leaderWeight: Double?
        var state = false
        var unknownKeys = Set<String>()
        var first = true
        while let key = try r.nextKey(first: &first) {
            switch key {
            case "stream":
                guard streamField == nil else { throw r.duplicateKey(key, objectAt: 0) }
                streamField = try r.readStringField("stream")
            case "seq":
                guard seq == nil else { throw r.duplicateKey(key, objectAt: 0) }
                seq = try r.readUnsignedField("seq", max: .max)
            case "ts":
                guard ts == nil else { throw r.duplicateKey(key, objectAt: 0) }
                ts = try r.readNumberField("ts")
            case "model":
                guard model == nil else { throw r.duplicateKey(key, objectAt: 0) }
                model = try r.readStringField("model")
            case "n":
                guard n == nil else { throw r.duplicateKey(key, objectAt: 0) }
                n = try r.readUnsignedField("n", max: UInt64(Int.max))
            case "mean":
                guard mean == nil else { throw r.duplicateKey(key, objectAt: 0) }
                mean = try r.readNumberOrArrayField("mean", allowNull: true).values
            case "var":
                guard variance == nil else { throw r.duplicateKey(key, objectAt: 0) }
                variance = try r.readNumberOrArrayField("var", allowNull: true).values
            case "probs":
                guard probs == nil else { throw r.duplicateKey(key, objectAt: 0) }
                probs = try r.readNumberArrayField("probs")
            case "surprise":
                guard surprise == nil else { throw r.duplicateKey(key, objectAt: 0) }
                surprise = try r.readNumberField("surprise", allowNull: true)
            case "error":
                guard error == nil else { throw r.duplicateKey(key, objectAt: 0) }
                error = try r.readNumberOrArrayField("error", allowNull: true).values
            case "interval":
                guard interval == nil else { throw r.duplicateKey(key, objectAt: 0) }
                interval = try r.readIntervalObject("interval", forceArrays: false)
            case "horizon":
                guard horizon == nil else { throw r.duplicateKey(key, objectAt: 0) }
                horizon = try r.readHorizonObject()
            case "leader":
                guard leader == nil else { throw r.duplicateKey(key, objectAt: 0) }
                leader = try r.readUnsignedField("leader", max: UInt64(ForecastBankParameters.maximumMembers))
            case "leader_weight":
                guard leaderWeight == nil else { throw r.duplicateKey(key, objectAt: 0) }
                leaderWeight = try r.readNumberField("leader_weight", allowNull: true)
            case "state":
                guard !state else { throw r.duplicateKey(key, objectAt: 0) }
                state = try readTrue(&r) { "a prediction's 'state' must be true (a state answer) or absent, got \($0)" }
            default:
                guard unknownKeys.count < JSONReader.maxUnknownKeys else { throw JSONReader.tooManyUnknownKeys() }
                guard unknownKeys.insert(key).inserted else { throw r.duplicateKey(key, objectAt: 0) }
                try r.skipValue(depth: 2)
            }
        }
        try r.expectEnd()
        if let streamField, !streamField.utf8.elementsEqual(stream.utf8) {
            throw WireError(.badField, "'stream' is \"\(streamField)\" but the topic is \"\(stream)\"; they must name the same stream")
        }
        guard let model else { throw WireError(.badField, "prediction has no 'model'; the publisher must send the model name") }
        guard let n else { throw WireError(.badField, "prediction has no 'n'; the publisher must send the observation count") }
        guard let mean else { throw WireError(.badField, "prediction has no 'mean'; the publisher must send the prediction") }
        var prediction: Prediction
        if let probs {
            guard error == nil else {
                throw WireError(.badField, "a symbol prediction (with 'probs') cannot carry 'error'; that is for real streams")
            }
            guard mean.count == 1, variance.map({ $0.count == 1 }) ?? true else {
                throw WireError(.badField, "a symbol prediction's 'mean' and 'var' must be one number each, got \(mean.count) and \(variance?.count ?? 0)")
            }
            prediction = Prediction(kind: .symbol, count: Int(n), mean: mean, variance: variance ?? [], probabilities: probs,
                                    surprise: surprise ?? .nan)
        } else {
            let q = mean.count
            // A real prediction carries 'surprise' only from a Gaussian-emission HMM (one component).
            guard surprise == nil || q == 1 else {
                throw WireError(.badField, "'surprise' on a real prediction needs one component (a Gaussian HMM's), got \(q)")
            }
            for (name, values) in [("var", variance), ("error", error)] {
                if let values, values.count != q {
                    throw WireError(.badField, "'\(name)' has \(values.count) component(s) but 'mean' has \(q); they must match")
                }
            }
            prediction = Prediction(kind: .real, count: Int(n), mean: mean,
                                    variance: variance ?? [Double](repeating: .nan, count: q),
                                    error: error ?? [Double](repeating: .nan, count: q), surprise: surprise ?? .nan)
        }
        if let interval {
            let width = prediction.kind == .real ? mean.count : 1
            guard interval.bounds.count == 2 * width * interval.levels.count else {
                throw WireError(.badField, "'interval' bounds must have \(width) component(s) each, like 'mean'")
            }
            prediction.intervalLevels = interval.levels
            prediction.interval = interval.bounds
        }
        if let horizon {
            prediction.horizonMean = horizon.mean
            prediction.horizonVariance = horizon.variance
            prediction.horizonInterval = horizon.interval
        }
        if let leader { prediction.leader = Int(leader); prediction.leaderWeight = leaderWeight ?? .nan }
        var out = OutboundPrediction(stream: stream, model: model, seq: seq, ts: ts, prediction: prediction)
        out.isState = state
        return out
    }
}
