import Foundation
import Logging
import SwiftletABI
import SwiftletCore
import SwiftletManifest
import SwiftletSandbox
import SwiftletWasmHost

/// The app's MCP tools (`tools:` in swiftlet.yaml), ready to call: each component tool has
/// its own component host (a fresh instance per call, the tool's limits and outbound
/// grants); the built-in `python` tool runs the sandbox. Every call writes one audit line.
public final class AppTools: Sendable {
    public struct Tool: Sendable {
        public let name: String
        public let description: String
        public let inputSchemaJSON: String
    }

    /// What a call produced: the tool's output, and whether (and why) it failed.
    public struct Outcome: Sendable, Equatable {
        public var text: String
        public var isError: Bool
        /// The limit or fault that stopped the call (`timeout`, `fuel`, `memory`...), if any.
        public var stoppedBy: String?
    }

    private enum Runner: Sendable {
        case component(ComponentHost, path: String)
        case python(SandboxLimits)
    }

    public let tools: [Tool]
    private let runners: [String: Runner]
    private let host: WasmHost
    private let logger: Logger
    /// Each Python tool's sandbox: CPython compiles on the tool's first call (seconds on
    /// Wasmtime, off the cooperative pool), then every call reuses it.
    private let sandboxes = Locked<[String: PythonSandbox]>([:])
    private let preparing = AsyncLock()

    init(manifest: AppManifest, components: (ToolManifest, ComponentManifest) throws -> ComponentHost, host: WasmHost, logger: Logger)
        rethrows
    {
        var tools: [Tool] = []
        var runners: [String: Runner] = [:]
        for tool in manifest.tools {
            tools.append(Tool(name: tool.name, description: tool.description, inputSchemaJSON: tool.inputSchemaJSON))
            switch tool.target {
            case .component(let id):
                let component = manifest.component(id)!
                runners[tool.name] = .component(try components(tool, component), path: tool.path)
            case .python:
                var limits = SandboxLimits.standard
                if let memory = tool.limits.memory { limits.memory = memory }
                if let timeout = tool.limits.timeoutMilliseconds { limits.timeoutMilliseconds = timeout }
                limits.fuel = tool.limits.fuel
                runners[tool.name] = .python(limits)
            }
        }
        self.tools = tools
        self.runners = runners
        self.host = host
        self.logger = logger
    }

    /// Calls tool `name` with its arguments (a JSON object).
    public func call(_ name: String, arguments: [UInt8]) async -> Outcome {
        let started = Date()
        let outcome: Outcome
        switch runners[name] {
        case nil:
            outcome = Outcome(text: "no tool named '\(name)'", isError: true, stoppedBy: nil)
        case .component(let component, let path)?:
            outcome = await callComponent(component, path: path, arguments: arguments)
        case .python(let limits)?:
            outcome = await callPython(name, limits, arguments: arguments)
        }
        logger.info(
            "tool call",
            metadata: [
                "tool": .string(name), "outcome": .string(outcome.isError ? "error" : "ok"),
                "stopped-by": .string(outcome.stoppedBy ?? "-"),
                "ms": .stringConvertible(Int(Date().timeIntervalSince(started) * 1000)),
                "arguments-bytes": .stringConvertible(arguments.count),
            ])
        return outcome
    }

    private func callComponent(_ component: ComponentHost, path: String, arguments: [UInt8]) async -> Outcome {
        let request = GuestRequest(
            method: "POST", path: path, headers: [("content-type", "application/json")], body: arguments,
            origin: RequestOrigin(requestID: UUID().uuidString))
        do {
            let response = try await component.handle(request).collected()
            let text = String(decoding: response.body, as: UTF8.self)
            guard (200..<300).contains(response.status) else {
                return Outcome(text: "status \(response.status): \(text)", isError: true, stoppedBy: nil)
            }
            return Outcome(text: text, isError: false, stoppedBy: nil)
        } catch let failure as GuestFailure {
            return Outcome(text: "stopped by \(failure.kind.name): \(failure.message)", isError: true, stoppedBy: failure.kind.name)
        } catch {
            return Outcome(text: "the tool failed while streaming: \(error)", isError: true, stoppedBy: nil)
        }
    }

    private func callPython(_ name: String, _ limits: SandboxLimits, arguments: [UInt8]) async -> Outcome {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(arguments))) as? [String: Any],
            let code = object["code"] as? String
        else {
            return Outcome(text: "expected arguments {\"code\": \"...\"}", isError: true, stoppedBy: nil)
        }
        let stdin = Array((object["stdin"] as? String ?? "").utf8)
        let sandbox: PythonSandbox
        switch await pythonSandbox(name, limits) {
        case .success(let ready): sandbox = ready
        case .failure(let error): return Outcome(text: error.description, isError: true, stoppedBy: nil)
        }
        let result = await sandbox.run(code, stdin: stdin)
        return Outcome(text: Self.report(result), isError: !result.succeeded, stoppedBy: result.stoppedBy)
    }

    private func pythonSandbox(_ name: String, _ limits: SandboxLimits) async -> Result<PythonSandbox, SandboxError> {
        if let ready = sandboxes.withLock({ $0[name] }) { return .success(ready) }
        return await preparing.withLock { () async -> Result<PythonSandbox, SandboxError> in
            if let ready = sandboxes.withLock({ $0[name] }) { return .success(ready) }
            let made: Result<PythonSandbox, SandboxError> = await withCheckedContinuation { continuation in
                host.workers.submit { [host] in
                    continuation.resume(returning: Result { () throws(SandboxError) -> PythonSandbox in
                        try PythonSandbox(host: host, installation: try PythonInstallation.located(), limits: limits)
                    })
                }
            }
            if case .success(let ready) = made { sandboxes.withLock { $0[name] = ready } }
            return made
        }
    }

    /// The sandbox's result as the text an agent reads: stdout, then stderr and the status
    /// when there is something to say.
    static func report(_ result: SandboxResult) -> String {
        var text = result.stdout
        if !result.stderr.isEmpty { text += (text.isEmpty || text.hasSuffix("\n") ? "" : "\n") + "[stderr]\n" + result.stderr }
        if let stoppedBy = result.stoppedBy {
            text += (text.isEmpty || text.hasSuffix("\n") ? "" : "\n") + "[stopped by \(stoppedBy): \(result.reason ?? "")]"
        } else if let code = result.exitCode, code != 0 {
            text += (text.isEmpty || text.hasSuffix("\n") ? "" : "\n") + "[exit status \(code)]"
        }
        return text
    }

    func close() {
        for runner in runners.values {
            if case .component(let component, _) = runner { component.close() }
        }
    }
}
