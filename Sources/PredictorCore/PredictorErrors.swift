/// A model parameter (slow memory) that cannot be used, naming the parameter and the rule it breaks.
public struct ParameterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The parameter's configuration name, e.g. `lambda` or `transition[1]`.
    public var parameter: String
    /// What is wrong and what is allowed.
    public var reason: String

    public init(_ parameter: String, _ reason: String) {
        self.parameter = parameter
        self.reason = reason
    }

    public var description: String { "invalid parameter '\(parameter)': \(reason)" }
}

/// An observation or query a predictor refuses; its state is left unchanged.
public enum ObservationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The stream's model takes another kind of observation (e.g. `z` sent to an RLS model).
    case wrongKind(model: String, expected: String, got: String)
    /// A vector has the wrong length for the model.
    case wrongDimension(field: String, expected: Int, got: Int)
    /// A value is NaN or infinite.
    case nonFinite(field: String)
    /// A symbol outside 0..<m.
    case symbolOutOfRange(symbol: Int, alphabetSize: Int)
    /// The model gives the observation probability zero (or it underflows), so no posterior exists.
    case impossible(symbol: Int)
    /// A real value whose density underflows to 0 under the predictive law (far outside every state's emission).
    case impossibleValue(Double)

    /// Stable short reason used as a counter key.
    public var reason: String {
        switch self {
        case .wrongKind: "wrong_kind"
        case .wrongDimension: "wrong_dimension"
        case .nonFinite: "non_finite"
        case .symbolOutOfRange: "symbol_out_of_range"
        case .impossible: "impossible_symbol"
        case .impossibleValue: "impossible_value"
        }
    }

    public var description: String {
        switch self {
        case let .wrongKind(model, expected, got):
            "model '\(model)' takes \(expected) observations, got \(got)"
        case let .wrongDimension(field, expected, got):
            "'\(field)' must have \(expected) component(s), got \(got)"
        case let .nonFinite(field):
            "'\(field)' contains NaN or infinity; send finite numbers only"
        case let .symbolOutOfRange(symbol, m):
            "symbol z=\(symbol) is outside 0..<\(m) of this model's alphabet"
        case let .impossible(symbol):
            "symbol z=\(symbol) has probability 0 under the model given the past; the context was left unchanged"
        case let .impossibleValue(y):
            "y=\(y) has density 0 under every hidden state the model allows given the past (check the units against "
                + "'means' and 'variances'); the context was left unchanged"
        }
    }
}

/// A checkpoint blob that cannot be decoded into a state (truncated, corrupt or from another model shape).
public struct StateDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "cannot decode state: \(reason)" }
}
