/// How a `softmax` model scores key kᵢ against query x: the logit β·kᵢᵀx, or −β‖kᵢ − x‖²/2 (`kernel: distance`).
///
/// The distance kernel is the dot kernel with the key-norm bias −β‖kᵢ‖²/2 (‖x‖² is the same for every key).
public enum SoftmaxKernel: UInt8, Sendable, Equatable, CaseIterable {
    case dot = 0
    case distance = 1

    /// Configuration spelling (`kernel: dot` or `kernel: distance`).
    public var name: String {
        switch self {
        case .dot: "dot"
        case .distance: "distance"
        }
    }

    /// The kernel named `name`, or nil.
    public init?(name: String) {
        guard let kernel = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = kernel
    }
}
