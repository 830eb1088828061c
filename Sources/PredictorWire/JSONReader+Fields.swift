/// Typed field readers shared by the JSON decoders: each names the field in its errors.
extension JSONReader {
    /// How a field is named in messages: `'y'` or `'y[3]'`.
    static func label(_ field: String, _ index: Int?) -> String {
        if let index { "'\(field)[\(index)]'" } else { "'\(field)'" }
    }

    /// A number, or NaN for `null` when `allowNull`; throws `non_finite` when it overflows to ±infinity.
    mutating func readNumberField(_ field: String, index: Int? = nil, allowNull: Bool = false) throws(WireError) -> Double {
        let kind = try peekKind()
        if kind == .null && allowNull {
            try readNull()
            return .nan
        }
        guard kind == .number else {
            throw WireError(.badField, "\(Self.label(field, index)) must be a number, got \(kind.name)")
        }
        let n = try readNumber()
        let v = try double(n)
        guard v.isFinite else {
            throw WireError(.nonFinite, "\(Self.label(field, index)) = \(excerpt(n.start, n.end)) overflows to infinity; send finite numbers (magnitude below 1.8e308)")
        }
        return v
    }

    /// An array of numbers (nulls read as NaN when `allowNull`), at most ``maxArrayCount`` long.
    mutating func readNumberArrayField(_ field: String, allowNull: Bool = false) throws(WireError) -> [Double] {
        let kind = try peekKind()
        guard kind == .array else {
            throw WireError(.badField, "'\(field)' must be an array of numbers, got \(kind.name)")
        }
        try beginArray()
        var values: [Double] = []
        var first = true
        while try nextElement(first: &first) {
            guard values.count < Self.maxArrayCount else {
                throw WireError(.oversized, "'\(field)' has more than \(Self.maxArrayCount) elements; send at most \(Self.maxArrayCount)")
            }
            values.append(try readNumberField(field, index: values.count, allowNull: allowNull))
        }
        return values
    }

    /// A number or an array of numbers; `scalar` tells which was sent.
    mutating func readNumberOrArrayField(_ field: String, allowNull: Bool = false) throws(WireError) -> (values: [Double], scalar: Bool) {
        let kind = try peekKind()
        switch kind {
        case .array:
            return (try readNumberArrayField(field, allowNull: allowNull), false)
        case .number:
            return ([try readNumberField(field)], true)
        case .null where allowNull:
            try readNull()
            return ([.nan], true)
        default:
            throw WireError(.badField, "'\(field)' must be a number or an array of numbers, got \(kind.name)")
        }
    }

    /// A non-negative integer literal (no sign, fraction or exponent) of at most `max`.
    mutating func readUnsignedField(_ field: String, max: UInt64) throws(WireError) -> UInt64 {
        let kind = try peekKind()
        guard kind == .number else {
            throw WireError(.badField, "'\(field)' must be an integer from 0 to \(max), got \(kind.name)")
        }
        let n = try readNumber()
        guard let v = unsignedInteger(n, max: max) else {
            throw WireError(.badField, "'\(field)' must be an integer from 0 to \(max) without sign, fraction or exponent, got \(excerpt(n.start, n.end))")
        }
        return v
    }

    /// A string field.
    mutating func readStringField(_ field: String) throws(WireError) -> String {
        let kind = try peekKind()
        guard kind == .string else { throw WireError(.badField, "'\(field)' must be a string, got \(kind.name)") }
        return try readString()
    }
}
