/// A runtime failure of a command (a missing file, no checkpoint, no daemon): ArgumentParser prints it as one
/// `Error: …` line on stderr, without usage text, and exits 1. Usage errors stay `ValidationError` (exit 64).
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
