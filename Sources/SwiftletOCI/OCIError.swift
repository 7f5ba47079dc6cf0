/// What can go wrong moving an app to or from a registry, in words a user can act on.
public enum OCIError: Error, Sendable, CustomStringConvertible {
    case badReference(String, String)
    case registry(String)
    case unauthorized(String)
    case notFound(String)
    case digestMismatch(what: String, expected: String, actual: String)
    case invalidArtifact(String)
    case packing(String)

    public var description: String {
        switch self {
        case .badReference(let text, let why): "invalid reference '\(text)': \(why)"
        case .registry(let message): message
        case .unauthorized(let message): message
        case .notFound(let message): message
        case .digestMismatch(let what, let expected, let actual):
            "\(what) does not match its digest (expected \(expected), got \(actual)): refusing a tampered or corrupt blob"
        case .invalidArtifact(let message): "not a Swiftlet app artifact: \(message)"
        case .packing(let message): message
        }
    }
}
