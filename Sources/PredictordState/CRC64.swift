/// CRC-64/XZ (ECMA-182 polynomial, reflected, init and xor-out all ones; check value 0x995DC9BBDF1939FA for "123456789").
///
/// Detects every burst error up to 64 bits and all odd bit counts; computed slicing-by-8.
public struct CRC64: Sendable, Equatable {
    /// The running register (already xor-ed with the initial value); read the result with ``value``.
    private var register: UInt64 = ~0

    public init() {}

    /// The CRC of everything fed so far.
    public var value: UInt64 { ~register }

    /// The CRC-64/XZ of `bytes` in one call.
    public static func checksum(_ bytes: some Collection<UInt8>) -> UInt64 {
        var crc = CRC64()
        crc.update(bytes)
        return crc.value
    }

    /// Feeds more bytes.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(buffer: UnsafeRawBufferPointer($0)) }
        if done == nil { Array(bytes).withUnsafeBytes { update(buffer: $0) } }
    }

    mutating func update(buffer: UnsafeRawBufferPointer) {
        Self.tables.withUnsafeBufferPointer { t in
            var crc = register
            var i = 0
            let n = buffer.count
            while i + 8 <= n {
                crc ^= UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                crc = t[7 * 256 + Int(crc & 0xFF)] ^ t[6 * 256 + Int((crc >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((crc >> 16) & 0xFF)] ^ t[4 * 256 + Int((crc >> 24) & 0xFF)]
                    ^ t[3 * 256 + Int((crc >> 32) & 0xFF)] ^ t[2 * 256 + Int((crc >> 40) & 0xFF)]
                    ^ t[1 * 256 + Int((crc >> 48) & 0xFF)] ^ t[Int(crc >> 56)]
                i += 8
            }
            while i < n {
                crc = t[Int((crc ^ UInt64(buffer[i])) & 0xFF)] ^ (crc >> 8)
                i += 1
            }
            register = crc
        }
    }

    /// Reflected ECMA-182 polynomial.
    private static let polynomial: UInt64 = 0xC96C_5795_D787_0F42

    /// Eight 256-entry tables: table k advances a byte through k further zero bytes.
    private static let tables: [UInt64] = {
        var t = [UInt64](repeating: 0, count: 8 * 256)
        for b in 0..<256 {
            var crc = UInt64(b)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
            t[b] = crc
        }
        for k in 1..<8 {
            for b in 0..<256 {
                let previous = t[(k - 1) * 256 + b]
                t[k * 256 + b] = t[Int(previous & 0xFF)] ^ (previous >> 8)
            }
        }
        return t
    }()
}
