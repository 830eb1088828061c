/// The version `predictord --version` prints: the one place it is written (bump it when releasing).
enum PredictordVersion {
    static let current = "0.1.0"
}
