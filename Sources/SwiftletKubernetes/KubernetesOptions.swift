/// How `swiftlet k8s` shapes the manifests (its flags).
public struct KubernetesOptions: Sendable {
    /// The runtime image (built from the repository's Dockerfile).
    public var image = "ghcr.io/swiftlet-dev/swiftlet:0.1.0"
    public var namespace: String?
    /// The app as an OCI reference; without one the app's files travel in a ConfigMap.
    public var appReference: String?
    /// Pull the app over plain HTTP (an in-cluster registry without TLS).
    public var insecureRegistry = false
    public var replicas = 2
    public var minReplicas = 2
    public var maxReplicas = 10
    public var targetCPUUtilization = 70
    public var cpuRequest = "100m"
    public var memoryRequest = "64Mi"
    public var cpuLimit = "1"
    public var memoryLimit = "256Mi"
    /// Serve Dapr's APIs to other pods (and expose them on the Service).
    public var daprAPI = true

    public init() {}
}
