import PredictorCore
import PredictorEngine
import PredictordConfig
import Testing

/// `lead_weights` on `auto`: off by default, read as a boolean, rendered back, persisted as a model spec of its
/// own (tag 10, so earlier checkpoints keep reading), and its horizon bound names the key.
@Suite struct LeadWeightsConfigTests {
    static func bytes(_ spec: ModelSpec) -> [UInt8] {
        var writer = ByteWriter()
        spec.encode(to: &writer)
        return writer.bytes
    }

    @Test func readRenderedAndEncoded() async throws {
        let plain = try await LearningConfigTests.load("kind: auto\n    horizon: 6")
        guard case let .auto(p) = plain.spec else { Issue.record("not auto: \(plain.spec)"); return }
        #expect(!p.leadWeights && !p.usesLeadWeights)
        var plainReader = ByteReader(Self.bytes(plain.spec))
        let plainAgain = try ModelSpec(from: &plainReader)
        #expect(Self.bytes(plain.spec).first == 9 && plainAgain == plain.spec)
        let model = try await LearningConfigTests.load("kind: auto\n    horizon: 6\n    lead_weights: true")
        guard case let .auto(b) = model.spec else { Issue.record("not auto: \(model.spec)"); return }
        #expect(b.leadWeights && b.usesLeadWeights && b.members.allSatisfy { $0.horizon == 6 })
        let lines = ConfigurationRenderer.modelLines(model)
        #expect(lines.contains("    lead_weights: true"), "\(lines)")
        let again = try await LearningConfigTests.load(lines.dropFirst().map { $0.dropFirst(4) }.joined(separator: "\n    "))
        #expect(again.spec == model.spec)
        let bytes = Self.bytes(model.spec)
        var reader = ByteReader(bytes)
        let decoded = try ModelSpec(from: &reader)
        #expect(bytes.first == 10 && decoded == model.spec && reader.isAtEnd)
    }

    @Test func aHorizonBeyondTheBoundNamesTheKey() async {
        #expect(await LearningConfigTests.errorKeys("kind: auto\n    horizon: 49\n    lead_weights: true") == ["model.m.horizon"])
        #expect(await LearningConfigTests.errorKeys("kind: auto\n    horizon: 49") == [])
    }
}
