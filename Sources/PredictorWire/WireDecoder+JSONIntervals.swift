/// Reading the interval, horizon and leader fields of JSON predictions (``WireEncoder`` writes them), so tools that
/// decode and re-encode a prediction (`predictord tail`) keep every byte.
extension JSONReader {
    /// `{"0.9":[lower,upper],…}`, each bound a number or an array of `width`-agnostic numbers: levels and the
    /// bounds as ``Prediction/interval`` lays them out (per level, the lower values then the upper values).
    mutating func readIntervalObject(_ field: String, forceArrays: Bool) throws(WireError) -> (levels: [Double], bounds: [Double]) {
        guard try peekKind() == .object else { throw WireError(.badField, "'\(field)' must be an object of level: [lower, upper]") }
        try beginObject()
        var levels: [Double] = [], bounds: [Double] = []
        var first = true
        while let key = try nextKey(first: &first) {
            guard let level = Double(key), level > 0, level < 1, levels.count < 8 else {
                throw WireError(.badField, "'\(field)' key \"\(key)\" must be an interval level in (0, 1) (at most 8 levels)")
            }
            guard try peekKind() == .array else { throw WireError(.badField, "'\(field).\(key)' must be [lower, upper]") }
            try beginArray()
            var sides: [[Double]] = []
            var element = true
            while try nextElement(first: &element) {
                guard sides.count < 2 else { throw WireError(.badField, "'\(field).\(key)' must have exactly two sides") }
                sides.append(forceArrays
                    ? try readNumberArrayField(field, allowNull: true)
                    : try readNumberOrArrayField(field, allowNull: true).values)
            }
            guard sides.count == 2, sides[0].count == sides[1].count else {
                throw WireError(.badField, "'\(field).\(key)' must be [lower, upper] of equal sizes")
            }
            levels.append(level)
            bounds += sides[0] + sides[1]
        }
        return (levels, bounds)
    }

    /// `{"mean":[…],"var":[…],"interval":{…}}` of a multi-step forecast.
    mutating func readHorizonObject() throws(WireError) -> (mean: [Double], variance: [Double], interval: [Double]) {
        guard try peekKind() == .object else { throw WireError(.badField, "'horizon' must be an object with 'mean' and 'var'") }
        try beginObject()
        var mean: [Double] = [], variance: [Double] = [], interval: [Double] = []
        var first = true
        while let key = try nextKey(first: &first) {
            switch key {
            case "mean": mean = try readNumberArrayField("horizon.mean", allowNull: true)
            case "var": variance = try readNumberArrayField("horizon.var", allowNull: true)
            case "interval": interval = try readIntervalObject("horizon.interval", forceArrays: true).bounds
            default: try skipValue(depth: 3)
            }
        }
        guard mean.count == variance.count else { throw WireError(.badField, "'horizon' mean and var must have the same length") }
        return (mean, variance, interval)
    }
}
