import Foundation
import Logging
import SwiftletManifest
import SwiftletWasmHost

/// An app whose manifest is parsed and whose components are loaded and ready to serve.
public final class LoadedApp: Sendable {
    public let manifest: AppManifest
    public let host: WasmHost
    /// Components by id.
    public let components: [String: ComponentHost]

    /// Parses `manifestPath` and loads every component. Errors name the manifest location.
    public static func load(
        manifestPath: String, workerThreads: Int? = nil, logger: Logger = Logger(label: "swiftlet")
    ) throws -> LoadedApp {
        let manifest = try ManifestParser.load(path: manifestPath)
        let stateDirectory = URL(fileURLWithPath: manifest.directory).appendingPathComponent(".swiftlet")
        let host = WasmHost(workerThreads: workerThreads, logger: logger)
        var components: [String: ComponentHost] = [:]
        do {
            for component in manifest.components {
                let staging = stateDirectory.appendingPathComponent("files").appendingPathComponent(component.id).path
                let configuration: ComponentConfiguration
                do {
                    configuration = try ComponentConfiguration(component, stagingDirectory: staging)
                } catch {
                    throw component.sourceLocation.error("cannot prepare files: \(error)")
                }
                do {
                    components[component.id] = try host.loadComponent(configuration)
                } catch {
                    throw component.sourceLocation.error(error.reason)
                }
            }
        } catch {
            for component in components.values { component.close() }
            host.shutdown()
            throw error
        }
        logger.info(
            "loaded app \(manifest.name) \(manifest.version)",
            metadata: ["components": .string(manifest.components.map(\.id).joined(separator: ","))])
        return LoadedApp(manifest: manifest, host: host, components: components)
    }

    init(manifest: AppManifest, host: WasmHost, components: [String: ComponentHost]) {
        self.manifest = manifest
        self.host = host
        self.components = components
    }

    /// Closes instances and stops the host's threads.
    public func close() {
        for component in components.values { component.close() }
        host.shutdown()
    }
}
