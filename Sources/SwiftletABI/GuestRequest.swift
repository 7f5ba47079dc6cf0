import SwiftletCore

/// An HTTP-shaped request handed to a guest, whatever trigger produced it.
///
/// Event triggers (pub/sub, cron, bindings) deliver their events in this same shape, so a
/// component reads an event exactly as it reads an HTTP request.
public struct GuestRequest: Sendable {
    /// Request method, upper-case (`GET`).
    public var method: String
    /// The path, percent-encoded as received (`/users/42`).
    public var path: String
    /// The raw query string without `?`, or empty.
    public var query: String
    /// Header fields in arrival order; names are lower-case.
    public var headers: HeaderList
    /// Values bound by `:name` route segments, plus `...` for a wildcard's remainder.
    public var parameters: [(name: String, value: String)]
    /// The whole request body.
    public var body: [UInt8]
    /// Where the request came from and which route matched it (for CGI variables and logs).
    public var origin: RequestOrigin

    public init(
        method: String, path: String, query: String = "",
        headers: HeaderList = [],
        parameters: [(name: String, value: String)] = [],
        body: [UInt8] = [], origin: RequestOrigin = RequestOrigin()
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.parameters = parameters
        self.body = body
        self.origin = origin
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.value(of: name)
    }

    /// The value bound to route parameter `name`.
    public func parameter(_ name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }
}

/// Context of a request beyond method, path and headers.
public struct RequestOrigin: Sendable {
    /// An id that ties log lines (including guest stderr) to this request.
    public var requestID: String
    /// The route pattern that matched, as written in the manifest (`/users/:id`).
    public var matchedRoute: String
    /// The matched route's fixed prefix, without a trailing wildcard (`/users`).
    public var routeBase: String
    /// Client address, `ip` only.
    public var remoteAddress: String
    /// Host name and port the request was addressed to.
    public var serverName: String
    public var serverPort: Int
    /// `http` or `https`.
    public var scheme: String
    /// How many service invocations led to this request (0 for a request from outside).
    public var callDepth: Int

    public init(
        requestID: String = "", matchedRoute: String = "", routeBase: String = "",
        remoteAddress: String = "", serverName: String = "localhost", serverPort: Int = 0,
        scheme: String = "http", callDepth: Int = 0
    ) {
        self.callDepth = callDepth
        self.requestID = requestID
        self.matchedRoute = matchedRoute
        self.routeBase = routeBase
        self.remoteAddress = remoteAddress
        self.serverName = serverName
        self.serverPort = serverPort
        self.scheme = scheme
    }
}

/// A complete response produced by a guest.
public struct GuestResponse: Sendable {
    public var status: Int
    public var headers: HeaderList
    public var body: [UInt8]

    public init(status: Int = 200, headers: HeaderList = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
