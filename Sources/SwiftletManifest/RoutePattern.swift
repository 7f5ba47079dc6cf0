/// An HTTP route as written in the manifest: exact segments, `:name` segments and an
/// optional trailing `/...` wildcard (Spin's syntax).
public struct RoutePattern: Sendable, Hashable, CustomStringConvertible {
    public enum Segment: Sendable, Hashable {
        case literal(String)
        case parameter(String)
    }

    /// The parameter name under which a wildcard's remainder reaches the guest.
    public static let wildcardParameter = "..."

    public let text: String
    public let segments: [Segment]
    public let isWildcard: Bool

    /// Parses a route; the error message says what is wrong with it.
    public init(_ text: String) throws(RouteSyntaxError) {
        guard text.hasPrefix("/") else { throw RouteSyntaxError("a route must start with '/'") }
        var parts = Self.split(text)
        var wildcard = false
        if parts.last == "..." {
            wildcard = true
            parts.removeLast()
        }
        var segments: [Segment] = []
        var names = Set<String>()
        for part in parts {
            if part == "..." { throw RouteSyntaxError("'...' is only allowed as the last segment") }
            if part.isEmpty { throw RouteSyntaxError("empty segment ('//')") }
            if part.hasPrefix(":") {
                let name = String(part.dropFirst())
                guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                    throw RouteSyntaxError("parameter '\(part)' needs a name of letters, digits, '_' or '-'")
                }
                guard names.insert(name).inserted else { throw RouteSyntaxError("parameter ':\(name)' appears twice") }
                segments.append(.parameter(name))
            } else {
                segments.append(.literal(String(part)))
            }
        }
        self.text = text
        self.segments = segments
        self.isWildcard = wildcard
    }

    public var description: String { text }

    /// The literal prefix before any parameter or wildcard (`/users` for `/users/:id`), used
    /// as the CGI `SCRIPT_NAME`.
    public var base: String {
        var prefix: [String] = []
        for segment in segments {
            guard case .literal(let value) = segment else { break }
            prefix.append(value)
        }
        return "/" + prefix.joined(separator: "/")
    }

    /// Path segments of a request path, ignoring one trailing slash.
    public static func split(_ path: some StringProtocol) -> [Substring] {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { Substring($0) }
        if parts.last == "" { parts.removeLast() }
        return parts
    }

    /// The bound parameters if `pathSegments` matches, else `nil`.
    public func match(_ pathSegments: [Substring]) -> [(name: String, value: String)]? {
        if isWildcard {
            guard pathSegments.count >= segments.count else { return nil }
        } else {
            guard pathSegments.count == segments.count else { return nil }
        }
        var parameters: [(name: String, value: String)] = []
        for (segment, part) in zip(segments, pathSegments) {
            switch segment {
            case .literal(let value):
                guard part == value else { return nil }
            case .parameter(let name):
                guard !part.isEmpty else { return nil }
                parameters.append((name, String(part)))
            }
        }
        if isWildcard {
            let rest = pathSegments.dropFirst(segments.count)
            parameters.append((Self.wildcardParameter, rest.isEmpty ? "" : "/" + rest.joined(separator: "/")))
        }
        return parameters
    }

    /// Whether `self` wins over `other` when both match: the first segment where they differ
    /// decides (a literal beats a parameter); then an exact route beats a wildcard; then
    /// the longer wildcard wins.
    public func isMoreSpecific(than other: RoutePattern) -> Bool {
        for (mine, theirs) in zip(segments, other.segments) {
            let (a, b) = (mine.rank, theirs.rank)
            if a != b { return a > b }
        }
        if isWildcard != other.isWildcard { return !isWildcard }
        return segments.count > other.segments.count
    }

    /// Two routes with the same shape (same literals, parameters in the same places) can
    /// never be told apart; the manifest rejects such pairs.
    public func hasSameShape(as other: RoutePattern) -> Bool {
        guard isWildcard == other.isWildcard, segments.count == other.segments.count else { return false }
        return zip(segments, other.segments).allSatisfy { a, b in
            switch (a, b) {
            case (.literal(let x), .literal(let y)): x == y
            case (.parameter, .parameter): true
            default: false
            }
        }
    }
}

extension RoutePattern.Segment {
    var rank: Int {
        switch self {
        case .literal: 2
        case .parameter: 1
        }
    }
}

/// Why a route string is not valid.
public struct RouteSyntaxError: Error, Sendable {
    public let message: String
    init(_ message: String) { self.message = message }
}
