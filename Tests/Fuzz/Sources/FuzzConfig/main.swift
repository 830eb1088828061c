// libFuzzer target: YAML configuration files through the loader, check-config's renderer and a real engine.
// Build and run with .ci/fuzz (`-sanitize=fuzzer,address -parse-as-library`); the properties are in ConfigCheck.
import Foundation
import PredictordFuzzChecks

/// One scratch file per fuzzing process (the loader reads a path), on tmpfs when there is one.
let scratch = (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
    + "/predictord-fuzz-config-\(ProcessInfo.processInfo.processIdentifier).yaml"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzRunner.config(data, size, scratchPath: scratch)
    return 0
}
