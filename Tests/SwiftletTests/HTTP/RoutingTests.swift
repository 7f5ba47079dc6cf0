import Testing

@Suite("HTTP routing")
struct RoutingTests {
    @Test func mostSpecificRouteWinsAndParametersReachTheGuest() async throws {
        let echo = try Paths.guest("handler-echo")
        let wagi = try Paths.guest("wagi-echo")
        let manifest = """
            name: routing
            components:
              echo: { source: \(echo), executor: handler }
              wagi: { source: \(wagi), executor: wagi }
            triggers:
              http:
                - { route: /..., component: wagi }
                - { route: /users/:id, component: echo }
                - { route: /users/me, component: wagi }
                - { route: /files/..., component: echo }
            """
        try await TestServer.with(manifest: manifest) { (server: TestServer) async throws in
            let user = try await server.request("/users/42")
            #expect(user.header("x-echo") == "handler")
            #expect(user.body.contains("param id=42\n"))
            #expect(user.body.contains("param ...=<none>\n"))

            let me = try await server.request("/users/me")
            #expect(me.header("x-echo") == nil, "the exact route /users/me beats /users/:id")
            #expect(me.body.contains("env X_MATCHED_ROUTE=/users/me"))

            let file = try await server.request("/files/a/b.txt")
            #expect(file.body.contains("param ...=/a/b.txt\n"))
            #expect(file.body.contains("param id=<none>\n"))

            let other = try await server.request("/something/else")
            #expect(other.body.contains("env X_MATCHED_ROUTE=/..."))
            #expect(other.body.contains("env PATH_INFO=/something/else"))
        }
    }
}
