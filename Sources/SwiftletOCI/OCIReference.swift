/// `[oci://]registry[:port]/repository[:tag|@sha256:digest]`, as `swiftlet push`, `pull`
/// and `up` take it.
public struct OCIReference: Sendable, Equatable, CustomStringConvertible {
    public var registry: String
    public var repository: String
    /// A tag or a `sha256:` digest.
    public var reference: String

    public var isDigest: Bool { reference.hasPrefix("sha256:") }

    public var description: String {
        "\(registry)/\(repository)\(isDigest ? "@" : ":")\(reference)"
    }

    /// Whether `text` names an OCI artifact rather than a path (`oci://` prefix).
    public static func looksLikeReference(_ text: String) -> Bool { text.hasPrefix("oci://") }

    public init(registry: String, repository: String, reference: String) {
        self.registry = registry
        self.repository = repository
        self.reference = reference
    }

    public init(parsing text: String) throws(OCIError) {
        var rest = text.hasPrefix("oci://") ? String(text.dropFirst(6)) : text
        guard let slash = rest.firstIndex(of: "/") else {
            throw OCIError.badReference(text, "expected registry/repository[:tag], e.g. 127.0.0.1:5000/hello:1.0")
        }
        let registry = String(rest[..<slash])
        // A registry is a host (with a dot or a port) or localhost; Docker Hub's implicit
        // default is not assumed, so a reference always says where it goes.
        guard registry.contains(".") || registry.contains(":") || registry == "localhost" else {
            throw OCIError.badReference(text, "the first part must be a registry host such as 127.0.0.1:5000 or registry.example.com")
        }
        rest = String(rest[rest.index(after: slash)...])
        let repository: String
        let reference: String
        if let at = rest.firstIndex(of: "@") {
            repository = String(rest[..<at])
            reference = String(rest[rest.index(after: at)...])
            guard Digest.isValid(reference) else { throw OCIError.badReference(text, "'\(reference)' is not a sha256 digest") }
        } else if let colon = rest.lastIndex(of: ":") {
            repository = String(rest[..<colon])
            reference = String(rest[rest.index(after: colon)...])
        } else {
            repository = rest
            reference = "latest"
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-/")
        guard !repository.isEmpty, repository.allSatisfy({ allowed.contains($0) }), !repository.hasPrefix("/"), !repository.hasSuffix("/")
        else {
            throw OCIError.badReference(text, "repository '\(repository)' must be lowercase letters, digits, '.', '_', '-' and '/'")
        }
        let tagCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard Digest.isValid(reference) || (!reference.isEmpty && reference.count <= 128 && reference.allSatisfy({ tagCharacters.contains($0) }))
        else {
            throw OCIError.badReference(text, "tag '\(reference)' must be letters, digits, '.', '_' and '-'")
        }
        self.init(registry: registry, repository: repository, reference: reference)
    }
}
