/// How the Dapr APIs and the app channel are set up (`swiftlet up` flags).
public struct DaprOptions: Sendable {
    /// Port of the Dapr HTTP API (0 picks a free one).
    public var httpPort: Int
    /// Port of the Dapr gRPC API (0 picks a free one).
    public var grpcPort: Int
    public var host: String
    /// The ordinary app beside Swiftlet.
    public var appID: String?
    public var appPort: Int?
    /// Other Swiftlets by app id (`--peers`).
    public var peers: [String: String]
    /// `DAPR_API_TOKEN`: required on every API call when set.
    public var apiToken: String?
    /// `APP_API_TOKEN`: sent to the app on every call Swiftlet makes to it.
    public var appToken: String?
    /// Calls to the app in flight at once (`--app-max-concurrency`); nil is unlimited.
    public var appMaxConcurrency: Int?
    /// Log every Dapr API call, HTTP and gRPC (`--enable-api-logging`).
    public var apiLogging: Bool

    public init(
        httpPort: Int = 3500, grpcPort: Int = 50001, host: String = "127.0.0.1", appID: String? = nil, appPort: Int? = nil,
        peers: [String: String] = [:], apiToken: String? = nil, appToken: String? = nil, appMaxConcurrency: Int? = nil,
        apiLogging: Bool = false
    ) {
        self.appMaxConcurrency = appMaxConcurrency
        self.apiLogging = apiLogging
        self.httpPort = httpPort
        self.grpcPort = grpcPort
        self.host = host
        self.appID = appID
        self.appPort = appPort
        self.peers = peers
        self.apiToken = apiToken
        self.appToken = appToken
    }
}
