import Foundation
import Logging
import PostgresNIO
import SwiftletBlocks
import SwiftletResources
import SwiftletManifest

/// `state.postgresql`.
public struct PostgresResourceFactory: ResourceFactory {
    public init() {}

    public var types: [String] { ["state.postgresql", "state.postgres"] }

    public func make(_ settings: ResourceSettings, context: ResourceContext) async throws(ManifestError) -> Resource {
        let text = try settings.require("connectionString")
        guard let connection = ConnectionString(text) else {
            throw settings.spec.error(
                field: "connectionString",
                "expected 'host=... user=... password=... port=... database=...' or postgres://user:password@host:port/database")
        }
        let table = settings.string("tableName") ?? "state"
        guard table.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw settings.spec.error(field: "tableName", "table names use letters, digits and '_'")
        }
        var configuration = PostgresClient.Configuration(
            host: connection.host, port: connection.port, username: connection.user, password: connection.password,
            database: connection.database, tls: .disable)
        configuration.options.connectTimeout = .seconds(Int64(try settings.int("timeout", default: 5, in: 1...86_400)))
        let client = PostgresClient(configuration: configuration, backgroundLogger: context.logger)
        let runner = Task { await client.run() }
        let store = PostgresStateStore(client: client, runner: runner, table: table, name: settings.name, logger: context.logger)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.prepare() }
                group.addTask {
                    try await Task.sleep(for: .seconds(10))
                    throw CancellationError()
                }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            runner.cancel()
            throw settings.spec.error(
                field: "connectionString",
                "cannot reach PostgreSQL at \(connection.host):\(connection.port): \(String(reflecting: error))")
        }
        return .state(store)
    }
}

/// A libpq-style `key=value` connection string or a `postgres://` URL.
struct ConnectionString {
    var host = "localhost"
    var port = 5432
    var user = "postgres"
    var password: String?
    var database: String?

    init?(_ text: String) {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            guard let url = URLComponents(string: text), let host = url.host else { return nil }
            self.host = host
            port = url.port ?? 5432
            user = url.user ?? "postgres"
            password = url.password
            let path = url.path.drop { $0 == "/" }
            database = path.isEmpty ? nil : String(path)
            return
        }
        for pair in text.split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return nil }
            switch parts[0] {
            case "host": host = parts[1]
            case "port": guard let value = Int(parts[1]) else { return nil }; port = value
            case "user": user = parts[1]
            case "password": password = parts[1]
            case "database", "dbname": database = parts[1]
            default: continue  // sslmode, connect_timeout, ...
            }
        }
    }
}
