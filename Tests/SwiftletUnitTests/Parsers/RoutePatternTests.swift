import Testing

@testable import SwiftletManifest

@Suite("Routes")
struct RoutePatternTests {
    func match(_ pattern: String, _ path: String) throws -> [String: String]? {
        try RoutePattern(pattern).match(RoutePattern.split(path)).map {
            Dictionary(uniqueKeysWithValues: $0.map { ($0.name, $0.value) })
        }
    }

    @Test func exactSegmentsAndParameters() throws {
        #expect(try match("/", "/") == [:])
        #expect(try match("/", "/x") == nil)
        #expect(try match("/users/:id", "/users/42") == ["id": "42"])
        #expect(try match("/users/:id", "/users/42/") == ["id": "42"])
        #expect(try match("/users/:id", "/users") == nil)
        #expect(try match("/users/:id/posts/:post", "/users/7/posts/9") == ["id": "7", "post": "9"])
    }

    @Test func trailingWildcard() throws {
        #expect(try match("/static/...", "/static") == ["...": ""])
        #expect(try match("/static/...", "/static/css/site.css") == ["...": "/css/site.css"])
        #expect(try match("/...", "/anything/at/all") == ["...": "/anything/at/all"])
        #expect(try match("/static/...", "/stat") == nil)
    }

    @Test func mostSpecificWins() throws {
        let patterns = try ["/...", "/api/...", "/api/users/:id", "/api/users/me", "/api/:kind/me", "/api/users/..."]
            .map(RoutePattern.init)
        // The winner beats every other matching route.
        func best(_ path: String) -> String? {
            let matching = patterns.filter { $0.match(RoutePattern.split(path)) != nil }
            return matching.first { candidate in
                matching.allSatisfy { $0 == candidate || candidate.isMoreSpecific(than: $0) }
            }?.text
        }
        #expect(best("/api/users/me") == "/api/users/me")
        #expect(best("/api/users/42") == "/api/users/:id")
        #expect(best("/api/things/me") == "/api/:kind/me")
        #expect(best("/api/users/42/photos") == "/api/users/...")
        #expect(best("/api/other") == "/api/...")
        #expect(best("/elsewhere") == "/...")
    }

    @Test func baseIsTheLiteralPrefix() throws {
        #expect(try RoutePattern("/static/...").base == "/static")
        #expect(try RoutePattern("/users/:id/x").base == "/users")
        #expect(try RoutePattern("/").base == "/")
    }

    @Test func outboundHostPatterns() throws {
        let exact = try OutboundHostPattern("https://api.example.com")
        #expect(exact.allows(scheme: "https", host: "api.example.com", port: 443))
        #expect(!exact.allows(scheme: "https", host: "api.example.com", port: 8443))
        #expect(!exact.allows(scheme: "http", host: "api.example.com", port: 80))
        let wildcard = try OutboundHostPattern("http://*.internal:*")
        #expect(wildcard.allows(scheme: "http", host: "db.internal", port: 5432))
        #expect(!wildcard.allows(scheme: "http", host: "internal", port: 80))
        #expect(throws: RouteSyntaxError.self) { try OutboundHostPattern("ftp://x") }
        #expect(throws: RouteSyntaxError.self) { try OutboundHostPattern("http://a*b.com") }
    }
}
