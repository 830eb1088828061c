/// Appends JSON tokens to a byte array: the encoder's output side, allocation-free apart from growing `out`.
///
/// Numbers use Swift's shortest round-trip `description`; non-finite doubles (not JSON) are written as `null`.
package enum JSONWriter {
    @inline(__always) package static func raw(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// A double: its shortest round-trip decimal form (e.g. `2.0`, `1e-05`, `-0.0`), or `null` when not finite.
    package static func number(_ v: Double, to out: inout [UInt8]) {
        if v.isFinite {
            out.append(contentsOf: v.description.utf8)
        } else {
            raw("null", to: &out)
        }
    }

    /// An unsigned integer in decimal.
    static func unsigned(_ v: UInt64, to out: inout [UInt8]) {
        var divisor: UInt64 = 1
        while divisor <= v / 10 { divisor *= 10 }
        var rest = v
        while divisor > 0 {
            out.append(UInt8(truncatingIfNeeded: rest / divisor) &+ 0x30)
            rest %= divisor
            divisor /= 10
        }
    }

    /// A quoted string with `"`, `\` and control characters escaped (controls as `\u00XX`).
    package static func string(_ s: String, to out: inout [UInt8]) {
        let hex: StaticString = "0123456789abcdef"
        out.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(c)
            case 0..<0x20:
                raw("\\u00", to: &out)
                out.append(hex.utf8Start[Int(c >> 4)])
                out.append(hex.utf8Start[Int(c & 15)])
            default:
                out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// An array of `count` doubles taken from `values`, NaN (written `null`) past its end.
    static func array(_ values: [Double], count: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for i in 0..<count {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            number(i < values.count ? values[i] : .nan, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// A vector field's value: a bare number when it has exactly one component, else an array.
    static func vector(_ values: [Double], count: Int, to out: inout [UInt8]) {
        if count == 1 {
            number(values.first ?? .nan, to: &out)
        } else {
            array(values, count: count, to: &out)
        }
    }
}
