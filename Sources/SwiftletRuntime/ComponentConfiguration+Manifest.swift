import Foundation
import SwiftletManifest
import SwiftletWasmHost

extension ComponentConfiguration {
    /// Host configuration for a manifest component. Individual `files` are copied into
    /// `stagingDirectory`, which the guest sees as `/`; directories are mounted in place.
    init(_ component: ComponentManifest, stagingDirectory: String) throws {
        var limits = ComponentLimits()
        let declared = component.limits
        if let memory = declared.memory { limits.memoryBytes = memory }
        limits.fuel = declared.fuel
        if let timeout = declared.timeoutMilliseconds { limits.timeoutMilliseconds = timeout }
        if let size = declared.maxRequestBody { limits.maxRequestBytes = size }
        if let size = declared.maxResponseBody { limits.maxResponseBytes = size }
        if let count = declared.maxConcurrency { limits.maxConcurrency = count }
        if let count = declared.maxQueue { limits.maxQueue = count }

        var recycle = RecyclePolicy()
        if let count = component.pool.maxRequests { recycle.maxRequests = count }
        recycle.memoryBytes = component.pool.recycleMemory

        var mounts: [DirectoryMount] = []
        var stagedFiles: [FileMount] = []
        for file in component.files {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: file.source, isDirectory: &isDirectory), isDirectory.boolValue {
                mounts.append(DirectoryMount(hostPath: file.source, guestPath: file.destination, writable: false))
            } else {
                stagedFiles.append(file)
            }
        }
        if !stagedFiles.isEmpty {
            try Self.stage(stagedFiles, into: stagingDirectory)
            mounts.append(DirectoryMount(hostPath: stagingDirectory, guestPath: "/", writable: false))
        }
        for dir in component.dirs {
            mounts.append(DirectoryMount(hostPath: dir.source, guestPath: dir.destination, writable: dir.writable))
        }

        let engine: EngineChoice =
            switch component.engine {
            case .auto: .auto
            case .wasmtime: .kind(.wasmtime)
            case .wasmkit: .kind(.wasmkit)
            }
        self.init(
            id: component.id, modulePath: component.source, engine: engine,
            executor: component.executor == .wagi ? .wagi : .handler,
            isolation: component.isolation == .fresh ? .fresh : .warm,
            environment: component.environment, arguments: component.args, mounts: mounts,
            limits: limits, recycle: recycle, prewarm: component.pool.prewarm ?? 2)
    }

    /// Copies files to their guest paths under `directory`, replacing what was there.
    static func stage(_ files: [FileMount], into directory: String) throws {
        let manager = FileManager.default
        try? manager.removeItem(atPath: directory)
        for file in files {
            let target = URL(fileURLWithPath: directory).appendingPathComponent(String(file.destination.dropFirst()))
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try manager.copyItem(atPath: file.source, toPath: target.path)
        }
    }
}
