/// What a segment collects per observation (a symbol, or a real value): exact coding of a run of them.
public protocol SegmentElement: Sendable, Equatable {
    static func write(_ run: [Self], to writer: inout ByteWriter)
    static func readRun(from reader: inout ByteReader) throws(StateDecodingError) -> [Self]
}

extension Int: SegmentElement {
    public static func write(_ run: [Int], to writer: inout ByteWriter) { writer.write(run) }
    public static func readRun(from reader: inout ByteReader) throws(StateDecodingError) -> [Int] { try reader.readInts() }
}

extension Double: SegmentElement {
    public static func write(_ run: [Double], to writer: inout ByteWriter) { writer.write(run) }
    public static func readRun(from reader: inout ByteReader) throws(StateDecodingError) -> [Double] { try reader.readDoubles() }
}
