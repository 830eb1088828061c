/// The forecasting form of a `softmax` model (docs/math.md, "Softmax attention"): online standardisation, the
/// distance kernel, differencing, and the predictive variance with its prior weight and floor.
///
/// The default (every option off) is the plain kernel average, whose `var` is the kernel spread.
public struct SoftmaxOptions: Sendable, Equatable {
    /// Standardise every key component (and the values, for the variance) by its running mean and deviation.
    public let standardize: Bool
    public let kernel: SoftmaxKernel
    /// Differences d (`difference`) and seasonal differences D (`seasonal_difference`) at period s (`season`):
    /// attention runs over zₜ = (1 − B)^d (1 − B^s)^D yₜ (autoregressive layouts only).
    public let difference: Int
    public let seasonalDifference: Int
    public let season: Int
    /// ν₀ (`variance_prior`): pseudo-observations of the running value variance that the kernel variance is shrunk to.
    public let variancePrior: Double
    /// φ (`variance_floor`): the predictive variance is at least φ times the running value variance.
    public let varianceFloor: Double
    /// c₀ = 1, c₁, … of (1 − B)^d (1 − B^s)^D.
    public let differencing: [Double]

    public static let plain = SoftmaxOptions()

    /// Validates every value, naming its configuration key.
    public init(standardize: Bool = false, kernel: SoftmaxKernel = .dot, difference: Int = 0, seasonalDifference: Int = 0,
                season: Int = 1, variancePrior: Double = 2, varianceFloor: Double = 0.01) throws(ParameterError) {
        guard (0...2).contains(difference) else {
            throw ParameterError("difference", "must be an integer in 0...2, got \(difference)")
        }
        guard (0...1).contains(seasonalDifference) else {
            throw ParameterError("seasonal_difference", "must be 0 or 1, got \(seasonalDifference)")
        }
        guard (1...100_000).contains(season), seasonalDifference == 0 || season >= 2 else {
            throw ParameterError("season", "must be an integer in 2...100000 with seasonal_difference (e.g. 12 for monthly data), got \(season)")
        }
        guard variancePrior.isFinite, variancePrior >= 0 else {
            throw ParameterError("variance_prior", "must be a finite number ≥ 0, got \(variancePrior)")
        }
        guard varianceFloor.isFinite, varianceFloor > 0 else {
            throw ParameterError("variance_floor", "must be a finite number > 0 (the density must stay finite), got \(varianceFloor)")
        }
        self.standardize = standardize
        self.kernel = kernel
        self.difference = difference
        self.seasonalDifference = seasonalDifference
        self.season = season
        self.variancePrior = variancePrior
        self.varianceFloor = varianceFloor
        differencing = ForecastParameters.differencingCoefficients(
            difference: difference, seasonalDifference: seasonalDifference, season: season)
    }

    private init() {
        standardize = false
        kernel = .dot
        difference = 0
        seasonalDifference = 0
        season = 1
        variancePrior = 2
        varianceFloor = 0.01
        differencing = [1]
    }

    /// True when any option departs from the plain kernel average.
    public var isForecasting: Bool { standardize || kernel != .dot || differencingOrder > 0 }

    /// Raw values the differencing needs beyond the current one (d + sD).
    public var differencingOrder: Int { differencing.count - 1 }

    func encode(to writer: inout ByteWriter) {
        writer.write(UInt8(1))  // extension version
        writer.write(standardize)
        writer.write(kernel.rawValue)
        writer.write(difference); writer.write(seasonalDifference); writer.write(season)
        writer.write(variancePrior); writer.write(varianceFloor)
    }

    init(from reader: inout ByteReader) throws(StateDecodingError) {
        let version = try reader.readUInt8()
        guard version == 1 else { throw StateDecodingError("unknown softmax options version \(version)") }
        let standardize = try reader.readBool()
        guard let kernel = SoftmaxKernel(rawValue: try reader.readUInt8()) else {
            throw StateDecodingError("unknown softmax kernel")
        }
        let d = try reader.readInt(), sd = try reader.readInt(), s = try reader.readInt()
        let prior = try reader.readDouble(), floor = try reader.readDouble()
        do {
            try self.init(standardize: standardize, kernel: kernel, difference: d, seasonalDifference: sd, season: s,
                          variancePrior: prior, varianceFloor: floor)
        } catch {
            throw StateDecodingError("invalid softmax options: \(error)")
        }
    }
}
