import AsyncHTTPClient

/// The HTTP client tests use: a real client that, unlike a browser, does not follow
/// redirects, so CGI `location` responses can be checked.
enum TestClient {
    static let shared: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        // Tests fire bursts of concurrent requests at one server; do not queue them client-side.
        configuration.connectionPool = HTTPClient.Configuration.ConnectionPool(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        // A sanitizer build on a loaded machine accepts connections slowly; the default 10 s
        // connect timeout then fails a test that is otherwise right.
        configuration.timeout.connect = .milliseconds(Int64(Timing.bound(10) * 1000))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}
