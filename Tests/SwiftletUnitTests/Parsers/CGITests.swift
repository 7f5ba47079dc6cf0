import Testing

@testable import SwiftletABI
@testable import SwiftletWasmHost

@Suite("CGI")
struct CGITests {
    func parse(_ text: String) throws(GuestFailure) -> GuestResponse {
        try CGI.parseResponse(Array(text.utf8))
    }

    @Test func headersStatusAndBody() throws {
        let response = try parse("Status: 404 Not Found\r\nContent-Type: text/plain\r\nX-A: b\r\n\r\nbody\n")
        #expect(response.status == 404)
        #expect(response.headers.map(\.name) == ["content-type", "x-a"])
        #expect(String(decoding: response.body, as: UTF8.self) == "body\n")
        #expect(try parse("content-type: text/html\n\n").status == 200)
        #expect(try parse("location: /x\n\n").status == 302)
        #expect(try parse("location: /x\nstatus: 301\n\n").status == 301)
    }

    @Test func malformedOutputIsABadResponse() {
        for output in ["", "no headers at all", "x-only: header\n\nbody", "broken header line\n\nbody", "status: abc\n\n"] {
            #expect(throws: GuestFailure.self, "\(output)") { try parse(output) }
        }
    }

    @Test func environmentFollowsWAGI() {
        let request = GuestRequest(
            method: "POST", path: "/static/css/a%20b.css", query: "x=1&y=2",
            headers: [("content-type", "text/css"), ("x-custom", "yes"), ("authorization", "secret"), ("connection", "close")],
            body: Array("12345".utf8),
            origin: RequestOrigin(
                matchedRoute: "/static/...", routeBase: "/static", remoteAddress: "10.0.0.1", serverName: "example.org",
                serverPort: 8080))
        let environment = Dictionary(
            uniqueKeysWithValues: CGI.environment(for: request, componentEnvironment: ["MODE": "x", "SERVER_NAME": "override"])
                .map { entry -> (String, String) in
                    let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                    return (parts[0], parts.count > 1 ? parts[1] : "")
                })
        #expect(environment["REQUEST_METHOD"] == "POST")
        #expect(environment["CONTENT_LENGTH"] == "5")
        #expect(environment["CONTENT_TYPE"] == "text/css")
        #expect(environment["SCRIPT_NAME"] == "/static")
        #expect(environment["PATH_INFO"] == "/css/a b.css")
        #expect(environment["X_RAW_PATH_INFO"] == "/css/a%20b.css")
        #expect(environment["QUERY_STRING"] == "x=1&y=2")
        #expect(environment["X_FULL_URL"] == "http://example.org:8080/static/css/a%20b.css?x=1&y=2")
        #expect(environment["X_MATCHED_ROUTE"] == "/static/...")
        #expect(environment["REMOTE_ADDR"] == "10.0.0.1")
        #expect(environment["HTTP_X_CUSTOM"] == "yes")
        #expect(environment["HTTP_AUTHORIZATION"] == nil)
        #expect(environment["HTTP_CONNECTION"] == nil)
        #expect(environment["GATEWAY_INTERFACE"] == "CGI/1.1")
        #expect(environment["MODE"] == "x")
        #expect(environment["SERVER_NAME"] == "override")
        #expect(CGI.arguments(for: request, componentArguments: ["-v"]) == ["/static", "-v", "x=1", "y=2"])
    }
}
