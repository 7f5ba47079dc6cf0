/// An entry of `allowed_outbound_hosts`: `scheme://host[:port]`, where the host may be `*`
/// or start with `*.` and the port may be `*`. Without a port, the scheme's default applies.
public struct OutboundHostPattern: Sendable, Hashable, CustomStringConvertible {
    public let scheme: String
    public let host: String
    public let port: Int?
    public let anyPort: Bool
    public let text: String

    public init(_ text: String) throws(RouteSyntaxError) {
        guard let separator = text.range(of: "://") else {
            throw RouteSyntaxError("expected scheme://host[:port], e.g. https://api.example.com")
        }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard ["http", "https", "*"].contains(scheme) else {
            throw RouteSyntaxError("scheme must be http, https or *")
        }
        var rest = text[separator.upperBound...]
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/") else { throw RouteSyntaxError("expected a host with no path") }
        var host = String(rest)
        var port: Int?
        var anyPort = false
        if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            let portText = rest[rest.index(after: colon)...]
            if portText == "*" {
                anyPort = true
            } else if let value = Int(portText), (1...65535).contains(value) {
                port = value
            } else {
                throw RouteSyntaxError("port must be 1-65535 or *")
            }
        }
        let wildcardFree = host.hasPrefix("*.") ? String(host.dropFirst(2)) : host
        guard host == "*" || (!wildcardFree.isEmpty && !wildcardFree.contains("*")) else {
            throw RouteSyntaxError("'*' is allowed only as the whole host or as a leading '*.'")
        }
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port
        self.anyPort = anyPort
        self.text = text
    }

    public var description: String { text }

    /// Whether a request to `scheme://host:port` is allowed by this pattern.
    public func allows(scheme requestScheme: String, host requestHost: String, port requestPort: Int) -> Bool {
        let requestScheme = requestScheme.lowercased()
        guard scheme == "*" || scheme == requestScheme else { return false }
        let requestHost = requestHost.lowercased()
        let hostMatches: Bool
        if host == "*" {
            hostMatches = true
        } else if host.hasPrefix("*.") {
            hostMatches = requestHost.hasSuffix(host.dropFirst(1))
        } else {
            hostMatches = host == requestHost
        }
        guard hostMatches else { return false }
        if anyPort { return true }
        let expected = port ?? (requestScheme == "https" ? 443 : 80)
        return expected == requestPort
    }
}
