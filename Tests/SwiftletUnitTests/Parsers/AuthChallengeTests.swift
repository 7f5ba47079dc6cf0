@testable import SwiftletOCI
import Testing

/// `WWW-Authenticate` challenges as registries send them: the Bearer one names the token
/// service the client must ask (the local test registry only does Basic, so the token flow
/// itself is not exercised against a real server).
@Suite struct AuthChallengeTests {
    @Test func bearerChallengeNamesRealmServiceAndScope() throws {
        let challenge = try #require(AuthChallenge(
            #"Bearer realm="https://auth.example.io/token",service="registry.example.io",scope="repository:apps/hello:pull,push""#))
        #expect(challenge.scheme == "bearer")
        #expect(challenge.parameters["realm"] == "https://auth.example.io/token")
        #expect(challenge.parameters["service"] == "registry.example.io")
        #expect(challenge.parameters["scope"] == "repository:apps/hello:pull,push", "a quoted comma stays in the value")
    }

    @Test func basicAndBareChallenges() throws {
        let basic = try #require(AuthChallenge(#"Basic realm="swiftlet-test""#))
        #expect(basic.scheme == "basic" && basic.parameters == ["realm": "swiftlet-test"])
        let bare = try #require(AuthChallenge("Bearer"))
        #expect(bare.scheme == "bearer" && bare.parameters.isEmpty)
        #expect(AuthChallenge("Bearer realm=https://a/token, service=reg")?.parameters == ["realm": "https://a/token", "service": "reg"])
        #expect(AuthChallenge("   ") == nil)
    }
}
