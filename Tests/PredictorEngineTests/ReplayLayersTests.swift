import Foundation
import Testing

/// `predictord replay --layers K` on a real dual model: layer 0 is μ everywhere, layer k is exact at positions
/// 0…k, and the layers reach the forward filter (recomputed here from A and C) by layer T.
@Suite struct ReplayLayersTests {
    @Test func layersConvergeToTheForwardFilter() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("predictord-layers-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = [[0.8, 0.2], [0.3, 0.7]], c = [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]], mu = [0.6, 0.4]
        let config = dir.appendingPathComponent("layers.yaml"), input = dir.appendingPathComponent("in.jsonl")
        try """
            models: [w]
            model:
              w:
                kind: dual
                match: "w/"
                window: 4
                states: 2
                symbols: 3
                transition: [0.8, 0.2, 0.3, 0.7]
                emission: [0.7, 0.2, 0.1, 0.1, 0.3, 0.6]
                initial: [0.6, 0.4]
            """.write(to: config, atomically: true, encoding: .utf8)
        let zs = [0, 2, 2, 1, 0, 0, 2, 1, 2, 2, 0, 1]
        try zs.enumerated().map { "{\"stream\":\"w/1\",\"seq\":\($0.offset),\"z\":\($0.element)}" }.joined(separator: "\n")
            .write(to: input, atomically: true, encoding: .utf8)
        let result = try ReplayCommandTests.run(["replay", "--config", config.path, "--layers", "\(zs.count)", input.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(lines.count == zs.count + 2)
        // π_0 = μ, π_{t+1} = π_t ⊙ C(·, z_t) A / π_t(C(·, z_t)).
        var exact = [mu]
        for z in zs {
            let pi = exact.last!
            let w = (0..<2).map { pi[$0] * c[$0][z] }, p = w.reduce(0, +)
            exact.append((0..<2).map { y in (0..<2).map { x in w[x] * a[x][y] }.reduce(0, +) / p })
        }
        for line in lines.prefix(zs.count + 1) {
            let k = line["layer"] as! Int, rho = line["rho"] as! [[Double]]
            #expect(line["stream"] as? String == "w/1" && rho.count == zs.count + 1)
            if k == 0 { #expect(rho.allSatisfy { $0 == mu }) }
            for t in 0...min(k, zs.count) {
                #expect(abs(rho[t][0] - exact[t][0]) <= 1e-12, "layer \(k) position \(t)")
            }
            let worst = zip(rho, exact).map { abs($0[0] - $1[0]) }.max()!
            #expect(abs((line["max_error"] as! Double) - worst) <= 1e-12)
        }
        #expect((lines[zs.count]["max_error"] as! Double) <= 1e-12)
        #expect((lines[1]["max_error"] as! Double) > 1e-3, "layer 1 should still be visibly wrong")
        #expect(lines.last?["layer"] as? String == "forward")
        // Not a dual model: a clear error.
        let wrong = try ReplayCommandTests.run(["replay", "--config", config.path, "--layers", "0", input.path])
        #expect(wrong.status != 0 && wrong.stderr.contains("--layers"))
    }
}
