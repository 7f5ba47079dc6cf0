import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `swiftlet deploy`: change the versions a running `swiftlet up --admin-listen` serves.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy a new version to a running Swiftlet, split traffic to a canary, promote it, or roll back.",
        discussion: """
            SOURCE is an app directory, a manifest, or oci://REF, resolved by the server. \
            In-flight requests finish on the old version; nothing is dropped. Talks to the \
            admin API (--admin, env SWIFTLET_ADMIN_URL) with SWIFTLET_ADMIN_TOKEN.
            """
    )

    @Argument(help: ArgumentHelp("The version to deploy: directory, manifest or oci://REF.", valueName: "source"))
    var source: String?

    @Option(help: ArgumentHelp("Deploy SOURCE as a canary taking this percent of requests (or change the canary's share).", valueName: "percent"))
    var canary: Int?

    @Flag(help: "Make the canary the stable version.")
    var promote = false

    @Flag(help: "Drop the canary, or return to the previous version.")
    var rollback = false

    @Option(help: ArgumentHelp("The admin API's URL (env SWIFTLET_ADMIN_URL; default http://127.0.0.1:9090).", valueName: "url"))
    var admin: String?

    @Option(help: "Admin token (env SWIFTLET_ADMIN_TOKEN).")
    var token: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let base = admin ?? environment["SWIFTLET_ADMIN_URL"] ?? "http://127.0.0.1:9090"
        guard let token = token ?? environment["SWIFTLET_ADMIN_TOKEN"], !token.isEmpty else {
            throw CLIError("the admin API needs a token: --token or SWIFTLET_ADMIN_TOKEN")
        }
        let actions = [source != nil || canary != nil, promote, rollback].filter { $0 }.count
        guard actions <= 1 else { throw CLIError("give one of SOURCE (with or without --canary), --promote, --rollback") }

        let (method, path, body): (HTTPMethod, String, [String: Any]?)
        if let source {
            var request: [String: Any] = ["source": Self.absolute(source)]
            if let canary { request["canary"] = canary }
            (method, path, body) = (.POST, "/v1/deploy", request)
        } else if let canary {
            (method, path, body) = (.PUT, "/v1/canary/weight", ["weight": canary])
        } else if promote {
            (method, path, body) = (.POST, "/v1/promote", nil)
        } else if rollback {
            (method, path, body) = (.POST, "/v1/rollback", nil)
        } else {
            (method, path, body) = (.GET, "/v1/app", nil)
        }
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        // One call from a CLI: an admin API that is not there is an error at once, not after
        // retrying the connection until the deadline a deployment (a pull) may need.
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(5)
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let outcome: Result<(HTTPClientResponse, ByteBuffer), any Error>
        do {
            let response = try await client.execute(request, timeout: .seconds(600))
            outcome = .success((response, try await response.body.collect(upTo: 16 << 20)))
        } catch {
            outcome = .failure(error)
        }
        try? await client.shutdown()
        let (response, bytes): (HTTPClientResponse, ByteBuffer)
        do {
            (response, bytes) = try outcome.get()
        } catch {
            throw CLIError("cannot reach the admin API at \(base): \(error)")
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any] ?? [:]
        guard response.status == .ok else {
            throw CLIError((object["error"] as? String) ?? "the admin API answered HTTP \(response.status.code)")
        }
        Self.printState(object)
    }

    /// A relative directory means the caller's, not the server's working directory.
    static func absolute(_ source: String) -> String {
        if source.hasPrefix("oci://") || source.hasPrefix("/") { return source }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(source).standardizedFileURL.path
    }

    static func printState(_ object: [String: Any]) {
        print("app \(object["app"] as? String ?? "?")")
        for version in object["versions"] as? [[String: Any]] ?? [] {
            let number = version["number"] as? Int ?? 0
            let role = version["role"] as? String ?? ""
            let weight = version["weight"] as? Int ?? 0
            let name = version["version"] as? String ?? ""
            let source = version["source"] as? String ?? ""
            print("  v\(number)  \(role.padding(toLength: 8, withPad: " ", startingAt: 0))  \(weight)%  \(name)  \(source)")
        }
    }
}
