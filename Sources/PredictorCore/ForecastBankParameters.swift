/// Slow memory of the `auto` model: the candidate forecasters every context runs, and the forgetting factor α of
/// their Bayesian-model-averaging weights (docs/math.md, "Online model choice").
public struct ForecastBankParameters: Sendable, Equatable, BinaryCodable {
    /// Most members a bank may hold (each context runs all of them).
    public static let maximumMembers = 256
    /// Longest `horizon` of a bank with `lead_weights`: they keep h(h+1)/2 past means and variances per member.
    public static let maximumHorizon = 48

    public let members: [ForecastParameters]
    /// α ∈ (0, 1]: log wₘ ← α·log wₘ + log pₘ(yₜ), so evidence older than ~1/(1 − α) steps fades.
    public let forgetting: Double
    /// Whether lead j ∈ 2…h mixes by the members' own lead-j densities (`lead_weights`) rather than the one-step weights.
    public let leadWeights: Bool

    /// Validates the bank, naming the configuration key.
    public init(members: [ForecastParameters], forgetting: Double, leadWeights: Bool = false) throws(ParameterError) {
        guard !members.isEmpty, members.count <= Self.maximumMembers else {
            throw ParameterError("lags", "the bank must have 1...\(Self.maximumMembers) members, got \(members.count)")
        }
        guard Set(members.map(\.regressors)).count == 1 else {
            throw ParameterError("dimension", "every member must take the same regressors")
        }
        guard Set(members.map(\.horizon)).count == 1 else {
            throw ParameterError("horizon", "every member must forecast the same horizon")
        }
        guard !leadWeights || members[0].horizon <= Self.maximumHorizon else {
            throw ParameterError(
                "horizon", "with lead_weights an auto bank forecasts at most \(Self.maximumHorizon) steps ahead (they keep h² values per member), got \(members[0].horizon); lower horizon or set lead_weights: false")
        }
        guard forgetting > 0, forgetting <= 1 else {
            throw ParameterError("forgetting", "must be in (0, 1], got \(forgetting)")
        }
        self.members = members
        self.forgetting = forgetting
        self.leadWeights = leadWeights
    }

    /// Whether the bank keeps lead weights: `lead_weights` with a horizon h > 1.
    public var usesLeadWeights: Bool { leadWeights && members[0].horizon > 1 }

    /// Regressors k every member takes.
    public var regressors: Int { members[0].regressors }

    /// One line per member, e.g. `ARIMA(2,1,1)(0,1,1)12 λ=1`, for `inspect` and the `leader` field.
    public var labels: [String] { members.map(\.label) }

    /// Whether some member's β differs from its λ.
    public var hasOwnVarianceDiscount: Bool { members.contains(where: \.hasOwnVarianceDiscount) }
    /// Whether some member needs the longer encoding.
    public var needsLongEncoding: Bool { members.contains(where: \.needsLongEncoding) }

    public func encode(to writer: inout ByteWriter) { encode(to: &writer, long: false) }

    /// The encoding, every member's long when `long` (see ``ForecastParameters/encode(to:long:)``), and
    /// `leadWeights` after α when `lead` (a model tag of its own in ``ModelSpec``, so earlier checkpoints still read).
    public func encode(to writer: inout ByteWriter, long: Bool, lead: Bool = false) {
        writer.write(members.count)
        for m in members { m.encode(to: &writer, long: long) }
        writer.write(forgetting)
        if lead { writer.write(leadWeights) }
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) { try self.init(from: &reader, long: false) }

    /// Reads what ``encode(to:long:lead:)`` wrote.
    public init(from reader: inout ByteReader, long: Bool, lead: Bool = false) throws(StateDecodingError) {
        let count = try reader.readInt()
        guard count >= 1, count <= Self.maximumMembers else { throw StateDecodingError("bank of \(count) members out of range") }
        var members: [ForecastParameters] = []
        for _ in 0..<count { members.append(try ForecastParameters(from: &reader, long: long)) }
        let forgetting = try reader.readDouble()
        let leadWeights = lead ? try reader.readBool() : false
        do { try self.init(members: members, forgetting: forgetting, leadWeights: leadWeights) } catch {
            throw StateDecodingError("auto parameters: \(error)")
        }
    }
}

extension ForecastParameters {
    /// Box–Jenkins notation of the member: ARIMA(p,d,q)(P,D,Q)s with its regressors, `els` for ELS MA terms, λ, and
    /// β when it differs from λ.
    public var label: String {
        var s = "ARIMA(\(lags),\(difference),\(movingAverage))"
        if seasonalLags + seasonalDifference + seasonalMovingAverage > 0 {
            s += "(\(seasonalLags),\(seasonalDifference),\(seasonalMovingAverage))\(season)"
        }
        if regressors > 0 { s += "+X\(regressors)" }
        if !bias { s += " nobias" }
        if movingAverage + seasonalMovingAverage > 0, movingAverageEstimator == .extendedLeastSquares { s += " els" }
        return s + " λ=\(lambda)" + (hasOwnVarianceDiscount ? " β=\(varianceDiscount)" : "")
    }
}
