import ArgumentParser
import Foundation
import SwiftletKubernetes
import SwiftletManifest
import SwiftletOCI

/// `swiftlet k8s`: Kubernetes manifests that run an app with the `swiftlet` image.
struct K8sCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "k8s",
        abstract: "Print Kubernetes manifests (Deployment, Service, ConfigMaps/Secrets, HPA) that run an app.",
        discussion: """
            APP is an app directory, a manifest, or oci://REF. An OCI app is pulled by the pod; \
            a directory's files travel in a ConfigMap unless --ref names where it was pushed. \
            Component YAML goes in a ConfigMap, or a Secret when it holds inline credentials.
            """
    )

    @Argument(help: ArgumentHelp("App directory, manifest, or oci://registry/repository[:tag|@digest].", valueName: "app"))
    var app = "."

    @Option(name: .shortAndLong, help: ArgumentHelp("Write one file per object into this directory instead of stdout.", valueName: "dir"))
    var output: String?

    @Option(help: "The Swiftlet runtime image.")
    var image = KubernetesOptions().image

    @Option(help: "Namespace for every object (default: none, kubectl's current one).")
    var namespace: String?

    @Option(help: ArgumentHelp("Where the app is published (oci://...): the pod pulls it instead of reading a ConfigMap.", valueName: "ref"))
    var ref: String?

    @Flag(help: "The pod pulls the app over plain HTTP.")
    var insecureRegistry = false

    @Option(help: ArgumentHelp("Dapr component YAML (default: components/ beside the manifest).", valueName: "dir"))
    var components: String?

    @Option var replicas = 2
    @Option var minReplicas = 2
    @Option var maxReplicas = 10
    @Option(help: "HPA target CPU utilization, percent.") var cpuTarget = 70
    @Option var cpuRequest = "100m"
    @Option var memoryRequest = "64Mi"
    @Option var cpuLimit = "1"
    @Option var memoryLimit = "256Mi"

    @Flag(help: "Do not serve or expose Dapr's APIs.")
    var noDapr = false

    @OptionGroup(title: "Registry (for oci:// apps)") var registry: RegistryOptions

    func run() async throws {
        var options = KubernetesOptions()
        options.image = image
        options.namespace = namespace
        options.insecureRegistry = insecureRegistry || registry.insecure
        options.replicas = replicas
        options.minReplicas = minReplicas
        options.maxReplicas = maxReplicas
        options.targetCPUUtilization = cpuTarget
        options.cpuRequest = cpuRequest
        options.memoryRequest = memoryRequest
        options.cpuLimit = cpuLimit
        options.memoryLimit = memoryLimit
        options.daprAPI = !noDapr
        guard minReplicas >= 1, maxReplicas >= minReplicas, replicas >= 1 else {
            throw CLIError("replicas must be at least 1 and --max-replicas at least --min-replicas")
        }

        let manifests: KubernetesManifests
        do {
            manifests = try await build(options)
        } catch let error as KubernetesError {
            throw CLIError(error.description)
        } catch let error as OCIError {
            throw CLIError(error.description)
        } catch let error as ManifestError {
            throw CLIError(error.description)
        }
        if let output {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            for file in try manifests.files() {
                try Data(file.contents.utf8).write(to: URL(fileURLWithPath: output).appendingPathComponent(file.name))
                print("\(output)/\(file.name)")
            }
        } else {
            print(try manifests.yamlStream(), terminator: "")
        }
    }

    func build(_ options: KubernetesOptions) async throws -> KubernetesManifests {
        var options = options
        if OCIReference.looksLikeReference(app) {
            let reference = try RegistryOptions.reference(app)
            let pulled = try await registry.pull(reference)
            options.appReference = app
            let manifest = try ManifestParser.load(path: pulled.manifestPath)
            return try KubernetesManifests(manifest: manifest, components: [:], appFiles: [], secrets: nil, options: options)
        }
        var isDirectory: ObjCBool = false
        let manifestPath =
            FileManager.default.fileExists(atPath: app, isDirectory: &isDirectory) && isDirectory.boolValue ? app + "/swiftlet.yaml" : app
        let manifest = try ManifestParser.load(path: manifestPath)
        let artifact = try AppArtifact.pack(manifestPath: manifestPath, componentsDirectory: components)
        var componentFiles: [String: String] = [:]
        var appFiles: [KubernetesManifests.AppFile] = []
        for layer in artifact.layers {
            guard let data = FileManager.default.contents(atPath: layer.path), let title = layer.descriptor.title else { continue }
            if layer.descriptor.mediaType == MediaType.component {
                componentFiles[URL(fileURLWithPath: title).lastPathComponent] = String(decoding: data, as: UTF8.self)
            } else {
                appFiles.append(KubernetesManifests.AppFile(path: title, bytes: Array(data)))
            }
        }
        if let ref { options.appReference = ref }
        // secrets.json is read by the embedded default secret store only, which an app with
        // component files does not get: shipping it then would mount a Secret nothing reads.
        let secrets = componentFiles.isEmpty
            ? FileManager.default.contents(atPath: manifest.directory + "/secrets.json").map { Array($0) } : nil
        return try KubernetesManifests(
            manifest: manifest, components: componentFiles, appFiles: options.appReference == nil ? appFiles : [], secrets: secrets,
            options: options)
    }
}
