// libFuzzer's driver entry point (compiler-rt, linked by -sanitize=fuzzer): lets a Swift executable's own main
// start fuzzing, since SwiftPM renames executable targets' main and links it as `main`.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
