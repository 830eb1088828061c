/// A strict RFC 8259 reader over a borrowed byte buffer, used by the JSON decoders.
///
/// It validates as it reads (grammar, escapes, UTF-8, nesting ≤ 8, arrays ≤ 65535) and never reads past the end.
struct JSONReader {
    /// Deepest allowed nesting; the top-level object is level 1.
    static let maxDepth = 8
    /// Most elements allowed in one array (the binary v1 limit of a u16 count).
    static let maxArrayCount = 65535

    /// The JSON type of the value at the reader's position, for dispatch and error messages.
    enum ValueKind: Equatable {
        case object, array, string, number, bool, null

        var name: String {
            switch self {
            case .object: "an object"
            case .array: "an array"
            case .string: "a string"
            case .number: "a number"
            case .bool: "a boolean"
            case .null: "null"
            }
        }
    }

    /// A validated number token: its byte range plus what the fast decimal path needs.
    struct Number {
        var start: Int
        var end: Int
        var negative: Bool
        /// No fraction and no exponent.
        var isInteger: Bool
        /// The significant decimal digits, when there are at most 19 of them.
        var mantissa: UInt64
        /// False when there were more than 19 significant digits (then `mantissa` is unusable).
        var mantissaIsExact: Bool
        /// Power of ten to apply to `mantissa` (saturated far outside the double range).
        var exponent: Int
    }

    let bytes: UnsafeRawBufferPointer
    var pos = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    // MARK: Bytes

    /// The byte at `i`, or 0 past the end (a raw 0 is never valid JSON, so it doubles as an end marker).
    @inline(__always) func byte(_ i: Int) -> UInt8 { i < bytes.count ? bytes[i] : 0 }

    @inline(__always) var current: UInt8 { byte(pos) }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }

    mutating func skipWhitespace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x09, 0x0A, 0x0D: pos += 1
            default: return
            }
        }
    }

    // MARK: Errors

    /// A `malformed_json` error at `offset` (default: the current position) naming what was expected and what was found.
    func malformed(_ expected: String, at offset: Int? = nil) -> WireError {
        let o = offset ?? pos
        let found = o < bytes.count ? Self.describe(bytes[o]) : "the end of the message"
        return WireError(.malformedJSON, "invalid JSON at byte \(o): \(expected), found \(found); send one strict RFC 8259 JSON object")
    }

    /// A byte as shown in error messages: quoted when printable ASCII, else hex.
    static func describe(_ c: UInt8) -> String {
        (0x21...0x7E).contains(c) ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x\(hex(c))"
    }

    static func hex(_ c: UInt8) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: [digits[Int(c >> 4)], digits[Int(c & 15)]], as: UTF8.self)
    }

    /// The source text of `start..<end`, shortened for error messages.
    func excerpt(_ start: Int, _ end: Int) -> String {
        let e = min(end, start + 40)
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<e]), as: UTF8.self)
        return e < end ? text + "…" : text
    }

    /// The error for a value nested deeper than ``maxDepth``.
    func tooDeep() -> WireError {
        WireError(.malformedJSON, "invalid JSON at byte \(pos): nesting deeper than \(Self.maxDepth) levels; protocol messages are flat objects")
    }

    // MARK: Structure

    /// The kind of the value starting at the current position; throws when no value starts here.
    func peekKind() throws(WireError) -> ValueKind {
        switch current {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        default:
            throw malformed("expected a value (number, string, object, array, true, false or null; NaN and Infinity are not JSON)")
        }
    }

    /// Consumes the `{` that must be at the current position.
    mutating func beginObject() throws(WireError) {
        guard current == UInt8(ascii: "{") else { throw malformed("expected '{'") }
        pos += 1
    }

    /// Moves to the next member: returns its key with the reader at its value, or nil after the closing `}`.
    mutating func nextKey(first: inout Bool) throws(WireError) -> String? {
        skipWhitespace()
        if first {
            first = false
            if current == UInt8(ascii: "}") {
                pos += 1
                return nil
            }
        } else {
            switch current {
            case UInt8(ascii: ","):
                pos += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                pos += 1
                return nil
            default:
                throw malformed("expected ',' or '}' after an object member")
            }
        }
        guard current == UInt8(ascii: "\"") else { throw malformed("expected a quoted key") }
        let key = try readString()
        skipWhitespace()
        guard current == UInt8(ascii: ":") else { throw malformed("expected ':' after the key \"\(key)\"") }
        pos += 1
        skipWhitespace()
        return key
    }

    /// Consumes the `[` that must be at the current position.
    mutating func beginArray() throws(WireError) {
        guard current == UInt8(ascii: "[") else { throw malformed("expected '['") }
        pos += 1
    }

    /// Moves to the next element: true with the reader at the element, false after the closing `]`.
    mutating func nextElement(first: inout Bool) throws(WireError) -> Bool {
        skipWhitespace()
        if first {
            first = false
            if current == UInt8(ascii: "]") {
                pos += 1
                return false
            }
        } else {
            switch current {
            case UInt8(ascii: ","):
                pos += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                pos += 1
                return false
            default:
                throw malformed("expected ',' or ']' after an array element")
            }
        }
        return true
    }

    /// After the top-level value: only whitespace may follow.
    mutating func expectEnd() throws(WireError) {
        skipWhitespace()
        guard pos == bytes.count else { throw malformed("expected the end of the message after the top-level object") }
    }

    /// Validates and skips any value; containers count toward the nesting limit from `depth` (the value's own level).
    mutating func skipValue(depth: Int) throws(WireError) {
        switch try peekKind() {
        case .object:
            guard depth <= Self.maxDepth else { throw tooDeep() }
            let start = pos
            try beginObject()
            var first = true
            var keys = Set<String>()
            while let key = try nextKey(first: &first) {
                guard keys.insert(key).inserted else { throw duplicateKey(key, objectAt: start) }
                try skipValue(depth: depth + 1)
            }
        case .array:
            guard depth <= Self.maxDepth else { throw tooDeep() }
            try beginArray()
            var first = true
            var count = 0
            while try nextElement(first: &first) {
                count += 1
                guard count <= Self.maxArrayCount else {
                    throw WireError(.oversized, "array at byte \(pos) has more than \(Self.maxArrayCount) elements; send at most \(Self.maxArrayCount)")
                }
                try skipValue(depth: depth + 1)
            }
        case .string:
            _ = try readString()
        case .number:
            _ = try readNumber()
        case .bool:
            _ = try readBool()
        case .null:
            try readNull()
        }
    }

    /// The error for a key seen twice in one object.
    /// Unknown fields accepted per message: forward compatibility needs a few, not thousands (each is hashed).
    static let maxUnknownKeys = 256

    static func tooManyUnknownKeys() -> WireError {
        WireError(.tooManyFields, "more than \(maxUnknownKeys) unknown fields in one message; send the documented fields (docs/protocol.md)")
    }

    func duplicateKey(_ key: String, objectAt start: Int) -> WireError {
        WireError(.malformedJSON, "invalid JSON: duplicate key \"\(key)\" in the object at byte \(start); send each field once")
    }

    // MARK: Literals

    mutating func readBool() throws(WireError) -> Bool {
        if current == UInt8(ascii: "t") {
            try literal("true")
            return true
        }
        try literal("false")
        return false
    }

    mutating func readNull() throws(WireError) {
        try literal("null")
    }

    private mutating func literal(_ text: StaticString) throws(WireError) {
        let n = text.utf8CodeUnitCount
        let p = text.utf8Start
        for i in 0..<n where byte(pos + i) != p[i] {
            throw malformed("expected the literal '\(text)'", at: pos + i)
        }
        pos += n
    }

    // MARK: Strings

    /// Reads a string (reader at its opening quote), decoding escapes and checking UTF-8; allocates only for escapes or > 15 bytes.
    mutating func readString() throws(WireError) -> String {
        let open = pos
        pos += 1
        var runStart = pos
        var scratch: [UInt8] = []
        var escaped = false
        while true {
            guard pos < bytes.count else { throw malformed("unterminated string (opened at byte \(open)); close it with '\"'") }
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") {
                let run = UnsafeRawBufferPointer(rebasing: bytes[runStart..<pos])
                pos += 1
                if !escaped { return String(decoding: run, as: UTF8.self) }
                scratch.append(contentsOf: run)
                return String(decoding: scratch, as: UTF8.self)
            } else if c == UInt8(ascii: "\\") {
                escaped = true
                scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<pos]))
                try readEscape(into: &scratch)
                runStart = pos
            } else if c < 0x20 {
                throw malformed("control character in a string; escape it as \\u00\(Self.hex(c))")
            } else if c < 0x80 {
                pos += 1
            } else {
                try skipUTF8Sequence()
            }
        }
    }

    /// Decodes one escape (reader at its backslash) and appends its UTF-8.
    private mutating func readEscape(into out: inout [UInt8]) throws(WireError) {
        let start = pos
        pos += 1
        let c = current
        pos += 1
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(c)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try readHex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard byte(pos) == UInt8(ascii: "\\"), byte(pos + 1) == UInt8(ascii: "u") else {
                    throw malformed("a high surrogate \\u\(String(scalar, radix: 16)) must be followed by a \\uDC00–\\uDFFF low surrogate", at: start)
                }
                pos += 2
                let low = try readHex4()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw malformed("a high surrogate must be followed by a \\uDC00–\\uDFFF low surrogate", at: start)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw malformed("a lone low surrogate \\u\(String(scalar, radix: 16)) is not a character; pair it with a high surrogate", at: start)
            }
            Self.appendUTF8(scalar, to: &out)
        default:
            throw malformed("invalid escape after '\\'; use one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX", at: start + 1)
        }
    }

    private mutating func readHex4() throws(WireError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = current
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw malformed("expected 4 hex digits after \\u")
            }
            v = v << 4 | UInt32(d)
            pos += 1
        }
        return v
    }

    static func appendUTF8(_ s: UInt32, to out: inout [UInt8]) {
        switch s {
        case 0..<0x80:
            out.append(UInt8(s))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | s >> 6))
            out.append(UInt8(0x80 | s & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | s >> 12))
            out.append(UInt8(0x80 | s >> 6 & 0x3F))
            out.append(UInt8(0x80 | s & 0x3F))
        default:
            out.append(UInt8(0xF0 | s >> 18))
            out.append(UInt8(0x80 | s >> 12 & 0x3F))
            out.append(UInt8(0x80 | s >> 6 & 0x3F))
            out.append(UInt8(0x80 | s & 0x3F))
        }
    }

    /// Skips one well-formed multi-byte UTF-8 sequence (no overlongs, surrogates or code points above U+10FFFF).
    private mutating func skipUTF8Sequence() throws(WireError) {
        let lead = current
        let length: Int
        var lo: UInt8 = 0x80
        var hi: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; hi = 0x9F
        case 0xF0: length = 4; lo = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; hi = 0x8F
        default: throw malformed("invalid UTF-8 in a string; send UTF-8 text")
        }
        for i in 1..<length {
            let c = byte(pos + i)
            let (l, h): (UInt8, UInt8) = i == 1 ? (lo, hi) : (0x80, 0xBF)
            guard c >= l, c <= h else { throw malformed("invalid UTF-8 in a string; send UTF-8 text", at: pos + i) }
        }
        pos += length
    }

    // MARK: Numbers

    /// Reads and validates a number token (`-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`).
    mutating func readNumber() throws(WireError) -> Number {
        let start = pos
        var negative = false
        if current == UInt8(ascii: "-") {
            negative = true
            pos += 1
        }
        var mantissa: UInt64 = 0
        var significant = 0
        var exact = true
        @inline(__always) func accumulate(_ c: UInt8) {
            let d = UInt64(c &- 0x30)
            if mantissa == 0 && d == 0 { return }
            if significant < 19 {
                mantissa = mantissa &* 10 &+ d
                significant += 1
            } else {
                exact = false
            }
        }
        guard Self.isDigit(current) else { throw malformed("expected a digit") }
        if current == UInt8(ascii: "0") {
            pos += 1
            if Self.isDigit(current) { throw malformed("leading zeros are not allowed in numbers", at: start) }
        } else {
            while Self.isDigit(current) {
                accumulate(current)
                pos += 1
            }
        }
        var isInteger = true
        var fractionDigits = 0
        if current == UInt8(ascii: ".") {
            isInteger = false
            pos += 1
            guard Self.isDigit(current) else { throw malformed("expected a digit after '.'") }
            while Self.isDigit(current) {
                accumulate(current)
                fractionDigits += 1
                pos += 1
            }
        }
        var exponent = 0
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isInteger = false
            pos += 1
            var negativeExponent = false
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") {
                negativeExponent = current == UInt8(ascii: "-")
                pos += 1
            }
            guard Self.isDigit(current) else { throw malformed("expected a digit in the exponent") }
            while Self.isDigit(current) {
                if exponent < 1_000_000 { exponent = exponent * 10 + Int(current &- 0x30) }
                pos += 1
            }
            if negativeExponent { exponent = -exponent }
        }
        return Number(start: start, end: pos, negative: negative, isInteger: isInteger, mantissa: mantissa,
                      mantissaIsExact: exact, exponent: exponent - fractionDigits)
    }

    /// Exact powers of ten representable as doubles (10^0 … 10^22), for the fast decimal path.
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The correctly rounded double of a number token (±infinity when it overflows).
    ///
    /// Uses Clinger's exact fast path (≤ 2^53 mantissa, |exponent| ≤ 22, one IEEE operation) and otherwise `Double(String)`.
    func double(_ n: Number) throws(WireError) -> Double {
        if n.mantissaIsExact && n.mantissa <= 1 << 53 {
            let m = Double(n.mantissa)
            var v: Double?
            if n.mantissa == 0 {
                v = 0
            } else if n.exponent >= 0 && n.exponent <= 22 {
                v = m * Self.exactPowersOfTen[n.exponent]
            } else if n.exponent < 0 && n.exponent >= -22 {
                v = m / Self.exactPowersOfTen[-n.exponent]
            }
            if let v { return n.negative ? -v : v }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[n.start..<n.end]), as: UTF8.self)
        guard let v = Double(text) else { throw malformed("a number the platform cannot parse", at: n.start) }
        return v
    }

    /// The value of an integer token (no sign, fraction or exponent) if it fits `max`, else nil.
    func unsignedInteger(_ n: Number, max: UInt64) -> UInt64? {
        guard !n.negative, n.isInteger else { return nil }
        var v: UInt64 = 0
        for i in n.start..<n.end {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(bytes[i] &- 0x30))
            if o1 || o2 { return nil }
            v = s
        }
        return v <= max ? v : nil
    }
}
