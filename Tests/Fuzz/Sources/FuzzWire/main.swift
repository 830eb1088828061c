// libFuzzer target: wire payloads (JSON and binary v1) through the decoders, the encoders and a real engine.
// Build and run with .ci/fuzz (`-sanitize=fuzzer,address -parse-as-library`); the properties are in WireCheck.
import Foundation
import PredictordFuzzChecks

/// The example models, loaded once (the repository is two levels above this package).
let models = FuzzRunner.exampleModels(
    repositoryRoot: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../..").standardized.path)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWire(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzRunner.wire(data, size, models: models)
    return 0
}
