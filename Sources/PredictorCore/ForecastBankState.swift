/// Fast memory of one `auto` context: every member's state and the members' log weights, and with a horizon h > 1
/// the log weights of leads 2…h and the last h published horizons they are scored against. Encodes bit for bit.
public struct ForecastBankState: Sendable, Equatable, BinaryCodable {
    public internal(set) var members: [SeriesForecasterState]
    /// log wₘ up to a common constant (the newest update keeps the largest at 0).
    public internal(set) var logWeights: [Double]
    /// Observations absorbed.
    public internal(set) var count: Int
    /// Row j − 2: the log weights of lead j (empty without a horizon).
    public internal(set) var leadLogWeights: [[Double]]
    /// Row m for member m, row n for the published mixture: of the last h publications (age a = 0 newest), the
    /// lead-(j+1) means (variances) of the values still to come, j ≥ a, at ``ForecastBank/pastIndex(age:lead:horizon:)``
    /// (NaN where none was published). Empty without a horizon.
    public internal(set) var pastMeans: [[Double]], pastVariances: [[Double]]
    /// Same rows: the ν published at each age.
    public internal(set) var pastDofs: [[Double]]

    public static func == (a: ForecastBankState, b: ForecastBankState) -> Bool {
        func same(_ x: [[Double]], _ y: [[Double]]) -> Bool { x.map { $0.map(\.bitPattern) } == y.map { $0.map(\.bitPattern) } }
        return a.members == b.members && a.count == b.count && a.logWeights.map(\.bitPattern) == b.logWeights.map(\.bitPattern)
            && same(a.leadLogWeights, b.leadLogWeights) && same(a.pastMeans, b.pastMeans)
            && same(a.pastVariances, b.pastVariances) && same(a.pastDofs, b.pastDofs)
    }

    /// Version 1: no lead data (every bank without a horizon writes it, so those checkpoints are unchanged);
    /// version 2 adds it.
    static let formatVersion: UInt8 = 1, leadFormatVersion: UInt8 = 2

    public func encode(to writer: inout ByteWriter) {
        let leads = !leadLogWeights.isEmpty
        writer.write(leads ? Self.leadFormatVersion : Self.formatVersion)
        writer.write(members.count)
        for m in members { m.encode(to: &writer) }
        writer.write(logWeights)
        writer.write(count)
        guard leads else { return }
        for rows in [leadLogWeights, pastMeans, pastVariances, pastDofs] {
            writer.write(rows.count)
            for r in rows { writer.write(r) }
        }
    }

    public init(
        members: [SeriesForecasterState], logWeights: [Double], count: Int, leadLogWeights: [[Double]] = [],
        pastMeans: [[Double]] = [], pastVariances: [[Double]] = [], pastDofs: [[Double]] = []
    ) {
        self.members = members
        self.logWeights = logWeights
        self.count = count
        self.leadLogWeights = leadLogWeights
        self.pastMeans = pastMeans
        self.pastVariances = pastVariances
        self.pastDofs = pastDofs
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        let version = try reader.readUInt8()
        guard version == Self.formatVersion || version == Self.leadFormatVersion else {
            throw StateDecodingError("unknown auto state version \(version)")
        }
        let n = try reader.readInt()
        guard n >= 1, n <= ForecastBankParameters.maximumMembers else { throw StateDecodingError("auto state of \(n) members") }
        var members: [SeriesForecasterState] = []
        for _ in 0..<n { members.append(try SeriesForecasterState(from: &reader)) }
        self.members = members
        logWeights = try reader.readDoubles(expectedCount: n)
        count = try reader.readInt()
        guard logWeights.allSatisfy({ $0.isFinite && $0 <= 0 }), count >= 0 else {
            throw StateDecodingError("auto state weights are not finite log weights")
        }
        leadLogWeights = []; pastMeans = []; pastVariances = []; pastDofs = []
        guard version == Self.leadFormatVersion else { return }
        func rows(_ count: Int?, length: Int?) throws(StateDecodingError) -> [[Double]] {
            let k = try reader.readInt()
            guard k >= 1, k <= ForecastBankParameters.maximumMembers + 1, count == nil || k == count else {
                throw StateDecodingError("auto state lead data of \(k) rows")
            }
            var out: [[Double]] = []
            for _ in 0..<k { out.append(try reader.readDoubles(expectedCount: length)) }
            return out
        }
        leadLogWeights = try rows(nil, length: n)
        let h = leadLogWeights.count + 1
        guard h <= ForecastBankParameters.maximumHorizon else { throw StateDecodingError("auto state of horizon \(h)") }
        pastMeans = try rows(n + 1, length: h * (h + 1) / 2)
        pastVariances = try rows(n + 1, length: h * (h + 1) / 2)
        pastDofs = try rows(n + 1, length: h)
        guard leadLogWeights.allSatisfy({ $0.allSatisfy { $0.isFinite && $0 <= 0 } }) else {
            throw StateDecodingError("auto state lead weights are not finite log weights")
        }
    }
}
