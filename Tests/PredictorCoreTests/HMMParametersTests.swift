import Testing
@testable import PredictorCore

@Suite struct HMMParametersTests {
    static let a: [Double] = [0.9, 0.1, 0.3, 0.7]
    static let c: [Double] = [0.5, 0.25, 0.25, 0.1, 0.1, 0.8]
    static let mu: [Double] = [0.5, 0.5]

    /// The error thrown by `body`, or nil.
    static func error(_ body: () throws(ParameterError) -> Void) -> ParameterError? {
        do { try body() } catch { return error }
        return nil
    }

    static func make(states: Int = 2, symbols: Int = 3, transition: [Double] = a, emission: [Double] = c,
                     initial: [Double] = mu, values: [Double]? = nil) -> ParameterError? {
        error { () throws(ParameterError) in
            _ = try HMMParameters(states: states, symbols: symbols, transition: transition, emission: emission,
                                  initial: initial, values: values)
        }
    }

    @Test func validModelAndDefaultValues() throws {
        let hmm = try HMMParameters(states: 2, symbols: 3, transition: Self.a, emission: Self.c, initial: Self.mu)
        #expect(hmm.values == [0, 1, 2])
        #expect(hmm.emissionColumn(2) == [0.25, 0.8])
        var w = ByteWriter()
        hmm.encode(to: &w)
        var r = ByteReader(w.bytes)
        #expect(try HMMParameters(from: &r) == hmm && r.isAtEnd)
        let dual = try DualFilterParameters(hmm: hmm, window: 7)
        var w2 = ByteWriter()
        dual.encode(to: &w2)
        var r2 = ByteReader(w2.bytes)
        #expect(try DualFilterParameters(from: &r2) == dual && r2.isAtEnd)
    }

    @Test func badParametersAreNamed() {
        #expect(Self.make(transition: [0.9, 0.1, 0.4, 0.5])?.description
            == "invalid parameter 'transition[1]': row must sum to 1, sums to 0.9")
        #expect(Self.make(transition: [0.9, 0.1, 0.3])?.description
            == "invalid parameter 'transition': must have d×d = 4 entries (row-major), got 3")
        #expect(Self.make(transition: [1.1, -0.1, 0.3, 0.7])?.parameter == "transition[0]")
        #expect(Self.make(transition: [0.9, 0.1, .nan, 0.7])?.parameter == "transition[1]")
        #expect(Self.make(transition: [0.9, 0.1, .infinity, 0.7])?.parameter == "transition[1]")
        #expect(Self.make(emission: [0.5, 0.25, 0.25, 0.1, 0.1])?.parameter == "emission")
        #expect(Self.make(emission: [0.75, 0.5, -0.25, 0.1, 0.1, 0.8])?.parameter == "emission[0]")
        #expect(Self.make(emission: [0.5, 0.25, 0.25, 0.1, 0.1, 0.7])?.parameter == "emission[1]")
        #expect(Self.make(initial: [0.5, 0.6])?.parameter == "initial")
        #expect(Self.make(initial: [1])?.parameter == "initial")
        #expect(Self.make(initial: [.nan, 1])?.parameter == "initial")
        #expect(Self.make(values: [0, 1])?.parameter == "values")
        #expect(Self.make(values: [0, .nan, 1])?.parameter == "values")
        #expect(Self.make(states: 0)?.parameter == "states")
        #expect(Self.make(states: 5000)?.parameter == "states")
        #expect(Self.make(symbols: 0)?.parameter == "symbols")
        #expect(Self.make(symbols: 70000)?.parameter == "symbols")
        // Within the 1e-9 tolerance is accepted.
        #expect(Self.make(transition: [0.9, 0.1 + 5e-10, 0.3, 0.7]) == nil)
    }

    @Test func windowIsValidated() throws {
        let hmm = try HMMParameters(states: 2, symbols: 3, transition: Self.a, emission: Self.c, initial: Self.mu)
        for bad in [0, -1, DualFilterParameters.maxWindow + 1] {
            let e = Self.error { () throws(ParameterError) in _ = try DualFilterParameters(hmm: hmm, window: bad) }
            #expect(e?.parameter == "window")
        }
    }

    @Test func corruptParameterBlobIsRejected() throws {
        var w = ByteWriter()
        w.write(2); w.write(3)
        w.write([0.9, 0.2, 0.3, 0.7]); w.write(Self.c); w.write(Self.mu); w.write([0.0, 1, 2])
        var r = ByteReader(w.bytes)
        #expect(throws: StateDecodingError.self) { try HMMParameters(from: &r) }
        var t = ByteReader(Array(w.bytes.prefix(20)))
        #expect(throws: StateDecodingError.self) { try HMMParameters(from: &t) }
    }
}
