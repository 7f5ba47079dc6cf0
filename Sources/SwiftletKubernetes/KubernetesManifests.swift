import Foundation
import SwiftletManifest
import Yams

/// Kubernetes objects that run a Swiftlet app as an ordinary container: a Deployment of the
/// `swiftlet` image (probes on its health endpoints, a termination grace period that covers
/// the drain), a Service, ConfigMaps for the Dapr components (and the app itself when it is
/// not published as an OCI artifact), a Secret for `secrets.json`, and a
/// HorizontalPodAutoscaler. Nothing needs installing on the nodes.
public struct KubernetesManifests {
    public struct Object {
        public var kind: String
        public var name: String
        public var body: [String: Any]
    }

    /// A file of the app to carry in a ConfigMap: path inside the app, bytes.
    public struct AppFile {
        public var path: String
        public var bytes: [UInt8]
        public init(path: String, bytes: [UInt8]) {
            self.path = path
            self.bytes = bytes
        }
    }

    public static let appPort = 3000
    public static let daprHTTPPort = 3500
    public static let daprGRPCPort = 50001
    /// `/metrics` for Prometheus (and the token-protected deployment API).
    public static let adminPort = 9090
    /// ConfigMaps are capped at 1 MiB by the API server.
    static let configMapLimit = 1 << 20

    public let objects: [Object]

    /// - Parameters:
    ///   - manifest: the app's manifest (name, version, component timeouts).
    ///   - components: Dapr component YAML by file name, mounted as `--components`.
    ///   - appFiles: the app itself, when `options.appReference` is nil.
    ///   - secrets: `secrets.json`, if the app has one.
    public init(
        manifest: AppManifest, components: [String: String], appFiles: [AppFile], secrets: [UInt8]?, options: KubernetesOptions
    ) throws {
        let name = Self.dnsName(manifest.name)
        let labels: [String: Any] = ["app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "swiftlet"]
        func metadata(_ objectName: String, extra: [String: Any] = [:]) -> [String: Any] {
            var metadata: [String: Any] = [
                "name": objectName,
                "labels": labels.merging(["app.kubernetes.io/version": manifest.version]) { $1 },
            ]
            if let namespace = options.namespace { metadata["namespace"] = namespace }
            return metadata.merging(extra) { $1 }
        }
        var objects: [Object] = []
        var volumes: [[String: Any]] = [["name": "cache", "emptyDir": [String: Any]()], ["name": "state", "emptyDir": [String: Any]()]]
        var mounts: [[String: Any]] = [
            ["name": "cache", "mountPath": "/var/cache/swiftlet"], ["name": "state", "mountPath": "/var/lib/swiftlet"],
        ]
        var arguments: [String] = ["up"]

        if let reference = options.appReference {
            arguments.append(reference.hasPrefix("oci://") ? reference : "oci://" + reference)
            if options.insecureRegistry { arguments.append("--insecure") }
        } else {
            // ConfigMap keys cannot hold '/', so each file gets a flat key and its path back
            // through the volume's items.
            var binary: [String: String] = [:]
            var items: [[String: Any]] = []
            var size = 0
            for (index, file) in appFiles.sorted(by: { $0.path < $1.path }).enumerated() {
                let key = "f\(index)-" + Self.configMapKey(file.path)
                binary[key] = Data(file.bytes).base64EncodedString()
                items.append(["key": key, "path": file.path])
                size += file.bytes.count
            }
            guard size <= Self.configMapLimit else {
                throw KubernetesError(
                    "the app's files are \(size) bytes, over a ConfigMap's 1 MiB: push it (swiftlet push REF) and pass --ref REF")
            }
            objects.append(Object(
                kind: "ConfigMap", name: "\(name)-app",
                body: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata("\(name)-app"), "binaryData": binary]))
            volumes.append(["name": "app", "configMap": ["name": "\(name)-app", "items": items]])
            mounts.append(["name": "app", "mountPath": "/app", "readOnly": true])
            arguments += ["/app/swiftlet.yaml"]
        }
        if !components.isEmpty {
            // Component YAML often carries connection strings and passwords inline: then it
            // goes in a Secret, otherwise in a ConfigMap anyone may read.
            if components.values.contains(where: Self.holdsCredentials) {
                objects.append(Object(
                    kind: "Secret", name: "\(name)-components",
                    body: [
                        "apiVersion": "v1", "kind": "Secret", "metadata": metadata("\(name)-components"), "type": "Opaque",
                        "stringData": components,
                    ]))
                volumes.append(["name": "components", "secret": ["secretName": "\(name)-components"]])
            } else {
                objects.append(Object(
                    kind: "ConfigMap", name: "\(name)-components",
                    body: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata("\(name)-components"), "data": components]))
                volumes.append(["name": "components", "configMap": ["name": "\(name)-components"]])
            }
            mounts.append(["name": "components", "mountPath": "/etc/swiftlet/components", "readOnly": true])
            arguments += ["--components", "/etc/swiftlet/components"]
        }
        if let secrets {
            objects.append(Object(
                kind: "Secret", name: "\(name)-secrets",
                body: [
                    "apiVersion": "v1", "kind": "Secret", "metadata": metadata("\(name)-secrets"), "type": "Opaque",
                    "data": ["secrets.json": Data(secrets).base64EncodedString()],
                ]))
            volumes.append(["name": "secrets", "secret": ["secretName": "\(name)-secrets"]])
            mounts.append(["name": "secrets", "mountPath": "/etc/swiftlet/secrets", "readOnly": true])
        }
        // The admin port serves /metrics to Prometheus; its deployment API stays shut
        // without SWIFTLET_ADMIN_TOKEN (replicas are updated by rolling the Deployment).
        arguments += [
            "--listen", "0.0.0.0:\(Self.appPort)", "--admin-listen", "0.0.0.0:\(Self.adminPort)", "--state-dir", "/var/lib/swiftlet",
        ]
        if options.daprAPI {
            arguments += [
                "--dapr-listen-addresses", "0.0.0.0", "--dapr-http-port", "\(Self.daprHTTPPort)", "--dapr-grpc-port", "\(Self.daprGRPCPort)",
            ]
        } else {
            arguments.append("--no-dapr")
        }

        var ports: [[String: Any]] = [
            ["name": "http", "containerPort": Self.appPort, "protocol": "TCP"],
            ["name": "admin", "containerPort": Self.adminPort, "protocol": "TCP"],
        ]
        if options.daprAPI {
            ports.append(["name": "dapr-http", "containerPort": Self.daprHTTPPort, "protocol": "TCP"])
            ports.append(["name": "dapr-grpc", "containerPort": Self.daprGRPCPort, "protocol": "TCP"])
        }
        let health: [String: Any] = ["path": "/.well-known/swiftlet/health", "port": "http"]
        // Kubernetes waits this long after SIGTERM; Swiftlet drains in-flight requests, each
        // bounded by its component's timeout, so the longest timeout plus a margin suffices.
        let longest = manifest.components.compactMap(\.limits.timeoutMilliseconds).max() ?? 30_000
        let grace = (longest + 999) / 1000 + 5
        var environment: [[String: Any]] = [["name": "SWIFTLET_CACHE_DIR", "value": "/var/cache/swiftlet"]]
        if secrets != nil { environment.append(["name": "SWIFTLET_SECRETS_FILE", "value": "/etc/swiftlet/secrets/secrets.json"]) }
        let container: [String: Any] = [
            "name": "swiftlet", "image": options.image, "imagePullPolicy": "IfNotPresent", "args": arguments,
            "ports": ports, "env": environment, "volumeMounts": mounts,
            "startupProbe": ["httpGet": health, "periodSeconds": 1, "failureThreshold": 60],
            "livenessProbe": ["httpGet": health, "periodSeconds": 10, "failureThreshold": 3],
            "readinessProbe": ["httpGet": health, "periodSeconds": 5, "failureThreshold": 2],
            "resources": [
                "requests": ["cpu": options.cpuRequest, "memory": options.memoryRequest],
                "limits": ["cpu": options.cpuLimit, "memory": options.memoryLimit],
            ],
            "securityContext": [
                "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "runAsNonRoot": true, "runAsUser": 65532,
                "capabilities": ["drop": ["ALL"]],
            ],
        ]
        let selector: [String: Any] = ["app.kubernetes.io/name": name]
        objects.append(Object(
            kind: "Deployment", name: name,
            body: [
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata(name),
                "spec": [
                    "replicas": options.replicas,
                    "selector": ["matchLabels": selector],
                    "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 0, "maxSurge": 1]],
                    "template": [
                        "metadata": [
                            "labels": labels,
                            // The conventional scrape annotations (Prometheus' kubernetes_sd
                            // relabelling examples, most charts' defaults).
                            "annotations": [
                                "prometheus.io/scrape": "true", "prometheus.io/port": "\(Self.adminPort)",
                                "prometheus.io/path": "/metrics",
                            ],
                        ],
                        "spec": [
                            "terminationGracePeriodSeconds": grace, "containers": [container], "volumes": volumes,
                            "securityContext": ["seccompProfile": ["type": "RuntimeDefault"]],
                        ],
                    ],
                ],
            ]))
        var servicePorts: [[String: Any]] = [["name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"]]
        if options.daprAPI {
            servicePorts.append(["name": "dapr-http", "port": Self.daprHTTPPort, "targetPort": "dapr-http", "protocol": "TCP"])
            servicePorts.append(["name": "dapr-grpc", "port": Self.daprGRPCPort, "targetPort": "dapr-grpc", "protocol": "TCP"])
        }
        objects.append(Object(
            kind: "Service", name: name,
            body: [
                "apiVersion": "v1", "kind": "Service", "metadata": metadata(name),
                "spec": ["type": "ClusterIP", "selector": selector, "ports": servicePorts],
            ]))
        objects.append(Object(
            kind: "HorizontalPodAutoscaler", name: name,
            body: [
                "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": metadata(name),
                "spec": [
                    "scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": name],
                    "minReplicas": options.minReplicas, "maxReplicas": options.maxReplicas,
                    "metrics": [[
                        "type": "Resource",
                        "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": options.targetCPUUtilization]],
                    ]],
                ],
            ]))
        self.objects = objects
    }

    /// One YAML stream, documents separated by `---`.
    public func yamlStream() throws -> String {
        try objects.map { try Yams.dump(object: $0.body, sortKeys: true) }.joined(separator: "---\n")
    }

    /// `kind-name.yaml` per object, for `-o DIR`.
    public func files() throws -> [(name: String, contents: String)] {
        try objects.map { ("\($0.kind.lowercased())-\($0.name).yaml", try Yams.dump(object: $0.body, sortKeys: true)) }
    }

    /// A DNS-1123 label from an app name.
    static func dnsName(_ text: String) -> String {
        let mapped = text.lowercased().map { $0.isLetter && $0.isASCII || $0.isNumber ? String($0) : "-" }.joined()
        let trimmed = mapped.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return String((trimmed.isEmpty ? "app" : trimmed).prefix(50))
    }

    /// Whether a component file has an inline `value` for a credential-like metadata name
    /// (a `secretKeyRef` instead keeps the file shareable).
    static func holdsCredentials(_ yaml: String) -> Bool {
        let words = ["password", "secret", "token", "connectionstring", "accesskey", "apikey", "credentials"]
        guard let documents = try? Yams.load_all(yaml: yaml) else { return true }
        for document in documents {
            guard let root = document as? [String: Any], let spec = root["spec"] as? [String: Any],
                let metadata = spec["metadata"] as? [[String: Any]]
            else { continue }
            for item in metadata where item["value"] != nil {
                let name = (item["name"] as? String ?? "").lowercased()
                if words.contains(where: name.contains) { return true }
            }
        }
        return false
    }

    static func configMapKey(_ path: String) -> String {
        path.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? String($0) : "_" }.joined()
    }
}

public struct KubernetesError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
