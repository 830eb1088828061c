/// Fast memory of one `auto` context: every member's state and the members' log weights. Encodes bit for bit.
public struct ForecastBankState: Sendable, Equatable, BinaryCodable {
    public internal(set) var members: [SeriesForecasterState]
    /// log wₘ up to a common constant (the newest update keeps the largest at 0).
    public internal(set) var logWeights: [Double]
    /// Observations absorbed.
    public internal(set) var count: Int

    public static func == (a: ForecastBankState, b: ForecastBankState) -> Bool {
        a.members == b.members && a.count == b.count && a.logWeights.map(\.bitPattern) == b.logWeights.map(\.bitPattern)
    }

    static let formatVersion: UInt8 = 1

    public func encode(to writer: inout ByteWriter) {
        writer.write(Self.formatVersion)
        writer.write(members.count)
        for m in members { m.encode(to: &writer) }
        writer.write(logWeights)
        writer.write(count)
    }

    public init(members: [SeriesForecasterState], logWeights: [Double], count: Int) {
        self.members = members
        self.logWeights = logWeights
        self.count = count
    }

    public init(from reader: inout ByteReader) throws(StateDecodingError) {
        let version = try reader.readUInt8()
        guard version == Self.formatVersion else { throw StateDecodingError("unknown auto state version \(version)") }
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
    }
}
