/// Fast memory of one forecasting `rls` context: its regression state and the short histories that differencing,
/// AR, seasonal and MA features read (newest first). Encodes bit for bit.
public struct SeriesForecasterState: Sendable, Equatable, BinaryCodable {
    /// The RLS regression of zₜ on the features.
    public internal(set) var regression: RLSState
    /// yₜ₋₁ … yₜ₋ₘ, m = d + sD (the raw values the differencing needs).
    var rawY: [Double]
    /// The regressors xₜ₋₁ … xₜ₋ₘ, k each.
    var rawX: [Double]
    /// The regressors of the last observation (persisted into the forecast until a query sends new ones).
    var lastX: [Double]
    /// Raw values held so far, capped at m.
    var rawFilled: Int
    /// zₜ₋₁ … of the differenced series, max(p, sP) values.
    var z: [Double]
    /// Differenced values held so far, capped at `z.count`.
    var zFilled: Int
    /// Posterior residuals εₜ₋₁ … (0 before the regression has learned), max(q, sQ) values.
    var residuals: [Double]
    /// The prediction-error gradients ψₜ₋₁ … of recursive maximum likelihood, max(q, sQ) rows of the feature
    /// count (empty for ELS or without MA terms).
    var gradients: [Double]
    /// Observations absorbed.
    public internal(set) var count: Int

    /// The empty context.
    public init(parameters: ForecastParameters) {
        let m = parameters.differencingOrder, k = parameters.regressors
        regression = RLSState(parameters: parameters.regression)
        rawY = [Double](repeating: 0, count: m)
        rawX = [Double](repeating: 0, count: m * k)
        lastX = [Double](repeating: 0, count: k)
        rawFilled = 0
        z = [Double](repeating: 0, count: parameters.zMemory)
        zFilled = 0
        residuals = [Double](repeating: 0, count: parameters.residualMemory)
        gradients = [Double](repeating: 0, count: parameters.gradientMemory)
        count = 0
    }

    /// Whether the shapes fit `parameters`.
    func fits(_ parameters: ForecastParameters) -> StateDecodingError? {
        let m = parameters.differencingOrder, k = parameters.regressors
        guard rawY.count == m, rawX.count == m * k, lastX.count == k, z.count == parameters.zMemory,
            residuals.count == parameters.residualMemory, gradients.count == parameters.gradientMemory
        else { return StateDecodingError("forecast state histories do not fit the model's structure") }
        return regression.fits(parameters.regression)
    }

    /// Shifts one value into the newest-first history `h`.
    static func push(_ value: Double, into h: inout [Double]) {
        h.withUnsafeMutableBufferPointer { b in
            guard let base = b.baseAddress, b.count > 0 else { return }
            var i = b.count - 1
            while i > 0 { base[i] = base[i - 1]; i -= 1 }
            base[0] = value
        }
    }

    /// Shifts `value` (`width` numbers) into the newest-first history `h`.
    static func push(_ value: UnsafeBufferPointer<Double>, into h: inout [Double], width: Int) {
        h.withUnsafeMutableBufferPointer { b in
            guard let base = b.baseAddress, b.count >= width else { return }
            var i = b.count - 1
            while i >= width { base[i] = base[i - width]; i -= 1 }
            for j in 0..<width { base[j] = value[j] }
        }
    }

    public static func == (a: SeriesForecasterState, b: SeriesForecasterState) -> Bool {
        func same(_ u: [Double], _ v: [Double]) -> Bool { u.map(\.bitPattern) == v.map(\.bitPattern) }
        return a.regression == b.regression && same(a.rawY, b.rawY) && same(a.rawX, b.rawX) && same(a.lastX, b.lastX)
            && a.rawFilled == b.rawFilled && same(a.z, b.z) && a.zFilled == b.zFilled && same(a.residuals, b.residuals)
            && same(a.gradients, b.gradients) && a.count == b.count
    }

    /// Version 2 adds `gradients`; version 1 (before `ma_estimator`) reads with none, as ELS states have.
    static let formatVersion: UInt8 = 2

    public func encode(to writer: inout ByteWriter) {
        writer.write(Self.formatVersion)
        regression.encode(to: &writer)
        writer.write(rawY); writer.write(rawX); writer.write(lastX); writer.write(rawFilled)
        writer.write(z); writer.write(zFilled); writer.write(residuals); writer.write(count)
        writer.write(gradients)
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        let version = try reader.readUInt8()
        guard version == 1 || version == Self.formatVersion else { throw StateDecodingError("unknown forecast state version \(version)") }
        regression = try RLSState(from: &reader)
        rawY = try reader.readDoubles(); rawX = try reader.readDoubles(); lastX = try reader.readDoubles()
        rawFilled = try reader.readInt()
        z = try reader.readDoubles(); zFilled = try reader.readInt(); residuals = try reader.readDoubles()
        count = try reader.readInt()
        gradients = version >= 2 ? try reader.readDoubles() : []
        let finite = [rawY, rawX, lastX, z, residuals, gradients].allSatisfy { $0.allSatisfy(\.isFinite) }
        guard finite, rawFilled >= 0, rawFilled <= rawY.count, zFilled >= 0, zFilled <= z.count, count >= 0 else {
            throw StateDecodingError("forecast state is inconsistent or holds non-finite values")
        }
    }
}
