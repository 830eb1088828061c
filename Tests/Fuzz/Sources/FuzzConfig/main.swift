// libFuzzer target: YAML configuration files through the loader, check-config's renderer and a
// real engine; the properties are in ConfigCheck.
// Build and run with .ci/fuzz (-sanitize=fuzzer,address); SwiftPM links this file's code as `main`.
import CFuzzerDriver
import Foundation
import PredictordFuzzChecks

/// The entry point libFuzzer's runtime expects to exist (the driver below is handed it directly).
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { FuzzRunner.config(data, size) }

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
