import Foundation
import PredictordTestSupport
import Testing

/// Runs the real `predictord replay` binary on the checked-in fixture and checks every prediction against
/// ReplayOracle, computed from the input alone.
@Suite struct ReplayCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The `predictord` executable next to the test bundle.
    static var binary: URL { BuiltExecutable.predictord }

    static func run(_ arguments: [String]) throws -> (stdout: String, stderr: String, status: Int32) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self), process.terminationStatus)
    }

    static func close(_ a: Double, _ b: Double, _ tol: Double = 1e-9) -> Bool {
        (a.isNaN && b.isNaN) || abs(a - b) <= tol * max(1, abs(b))
    }

    @Test func replayMatchesIndependentOracle() throws {
        let input = Self.fixtures.appendingPathComponent("replay.jsonl")
        let result = try Self.run(["replay", "--config", Self.fixtures.appendingPathComponent("replay.yaml").path, input.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let outputs = result.stdout.split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        let inputs = try String(contentsOf: input, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }

        // Oracle state per stream, rebuilt from the inputs.
        var arValues: [Double] = [], arLastSeq = -1
        var pairX: [[Double]] = [], pairY: [Double] = [], pairErrors: [Double] = []
        var pi = [0.5, 0.5]
        let a = [[0.7, 0.3], [0.4, 0.6]], c = [[0.9, 0.1], [0.2, 0.8]], values = [-1.0, 1.0]
        var keys: [Double] = [], vals: [Double] = []
        var expected: [[String: Double]] = []
        var expectedDrops = 0

        func arFit() -> [Double] {
            var xs: [[Double]] = [], ys: [Double] = []
            for t in 2..<max(2, arValues.count) { xs.append([arValues[t - 1], arValues[t - 2], 1]); ys.append(arValues[t]) }
            return xs.isEmpty ? [0, 0, 0] : ReplayOracle.ridge(xs: xs, ys: ys, lambda: 1, delta: 1e-4).w
        }
        func arFeatures() -> [Double] {
            let n = arValues.count
            return [n >= 1 ? arValues[n - 1] : 0, n >= 2 ? arValues[n - 2] : 0, 1]
        }
        func kernel(at x: Double) -> Double {
            let logits = keys.map { 2 * $0 * x }
            guard let m = logits.max() else { return 0 }
            let w = logits.map { exp($0 - m) }
            return ReplayOracle.dot(w, vals) / w.reduce(0, +)
        }

        for line in inputs {
            let stream = line["stream"] as! String
            switch stream {
            case "ar/1":
                let seq = line["seq"] as! Int
                guard seq > arLastSeq else { expectedDrops += 1; continue }
                arLastSeq = seq
                let y = line["y"] as! Double
                let error = y - ReplayOracle.dot(arFit(), arFeatures())
                arValues.append(y)
                expected.append(["mean": ReplayOracle.dot(arFit(), arFeatures()), "error": error, "n": Double(arValues.count)])
            case "pairs/1":
                let x = line["x"] as! [Double]
                guard x.count == 2 else { expectedDrops += 1; continue }
                let y = line["y"] as! Double
                let before = pairX.isEmpty ? 0 : ReplayOracle.dot(ReplayOracle.ridge(xs: pairX, ys: pairY, lambda: 0.95, delta: 0.01).w, x)
                pairX.append(x); pairY.append(y); pairErrors.append(y - before)
                let (w, z) = ReplayOracle.ridge(xs: pairX, ys: pairY, lambda: 0.95, delta: 0.01)
                let n = pairX.count
                let weights = (0..<n).map { pow(0.95, Double(n - 1 - $0)) }
                // Normal–inverse-gamma posterior: J = weighted residuals of the current fit + decayed ridge term,
                // ν = Σ weights − p, Student-t variance J/(ν − 2)·(1 + xᵀZ⁻¹x).
                var residual = 0.0
                for i in 0..<n { let r = pairY[i] - ReplayOracle.dot(w, pairX[i]); residual += weights[i] * r * r }
                residual += pow(0.95, Double(n)) * 0.01 * ReplayOracle.dot(w, w)
                let nu = weights.reduce(0, +) - 2
                let px = ReplayOracle.solve(z, x, n: 2)
                expected.append(["mean": ReplayOracle.dot(w, x), "error": y - before,
                                 "var": nu > 2 ? residual / (nu - 2) * (1 + ReplayOracle.dot(x, px)) : .nan, "n": Double(n)])
            case "tokens/1":
                let zt = line["z"] as! Int
                let likelihood = pi[0] * c[0][zt] + pi[1] * c[1][zt]
                let post = [pi[0] * c[0][zt] / likelihood, pi[1] * c[1][zt] / likelihood]
                pi = [post[0] * a[0][0] + post[1] * a[1][0], post[0] * a[0][1] + post[1] * a[1][1]]
                let probs = [pi[0] * c[0][0] + pi[1] * c[1][0], pi[0] * c[0][1] + pi[1] * c[1][1]]
                expected.append(["p0": probs[0], "p1": probs[1], "mean": ReplayOracle.dot(probs, values),
                                 "surprise": -log(likelihood)])
            case "kernel/1":
                let x = (line["x"] as! [Double])[0], y = line["y"] as! Double
                let error = y - kernel(at: x)
                keys.append(x); vals.append(y)
                if keys.count > 3 { keys.removeFirst(); vals.removeFirst() }
                expected.append(["mean": kernel(at: x), "error": error])
            default:
                expectedDrops += 1
            }
        }
        #expect(expectedDrops == 3)
        try #require(outputs.count == expected.count)
        for (got, want) in zip(outputs, expected) {
            for (key, value) in want {
                let actual: Double
                switch key {
                case "p0": actual = (got["probs"] as! [Double])[0]
                case "p1": actual = (got["probs"] as! [Double])[1]
                default: actual = (got[key] as? Double) ?? .nan
                }
                #expect(Self.close(actual, value), "\(got["stream"]!) \(key): got \(actual), oracle \(value)")
            }
        }
        #expect(result.stderr.contains("3 dropped"))
        #expect(result.stderr.contains(":21: dropped (unknown_stream)"))
    }

    @Test func badConfigurationIsReportedWithKeyPaths() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("predictord-cfg-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let bad = dir.appendingPathComponent("bad.yaml")
        try "models: [m]\nmodel:\n  m:\n    kind: rls\n    lags: 2\n    lambda: 1.5\n    delta_typo: 1\n".write(to: bad, atomically: true, encoding: .utf8)
        let result = try Self.run(["check-config", bad.path])
        #expect(result.status != 0)
        #expect(result.stdout.contains("model.m.lambda"))
        #expect(result.stdout.contains("model.m.delta_typo: unknown key"))
        let ok = try Self.run(["check-config", Self.fixtures.appendingPathComponent("replay.yaml").path])
        #expect(ok.status == 0, "\(ok.stdout)")
        #expect(ok.stdout.contains("kind: forward"))
    }
}
