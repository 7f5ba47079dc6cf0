import AsyncHTTPClient

/// The HTTP client tests use: a real client that, unlike a browser, does not follow
/// redirects, so CGI `location` responses can be checked.
enum TestClient {
    static let shared = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))
}
