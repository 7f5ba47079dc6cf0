import Foundation
import Testing

/// A real OCI registry (Debian's `docker-registry`, distribution 2.8) on a free loopback
/// port with its storage in a temporary directory, optionally behind htpasswd Basic auth.
final class OCIRegistry: Sendable {
    let process: Subprocess
    let address: String
    let storage: URL
    let directory: URL

    static let hint = "install it with `apt-get install docker-registry skopeo apache2-utils` (scripts/test.sh does)"

    init(users: [String: String] = [:]) async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/docker-registry") else {
            Issue.record("docker-registry is not installed: \(Self.hint)")
            throw MissingPrerequisite()
        }
        directory = try Paths.temporaryDirectory()
        storage = directory.appendingPathComponent("storage")
        let port = try FreePort.pick()
        address = "127.0.0.1:\(port)"
        var config = """
            version: 0.1
            log: { level: error }
            storage:
              filesystem: { rootdirectory: \(storage.path) }
              delete: { enabled: true }
            http: { addr: "\(address)" }

            """
        if !users.isEmpty {
            let htpasswd = directory.appendingPathComponent("htpasswd")
            var lines = ""
            for (user, password) in users {
                let result = try await Subprocess.run("/usr/bin/htpasswd", ["-Bbn", user, password])
                guard result.status == 0 else { throw TestFailure("htpasswd failed: \(result.stderr) — \(Self.hint)") }
                lines += result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
            }
            try Data(lines.utf8).write(to: htpasswd)
            config += "auth: { htpasswd: { realm: swiftlet-test, path: \(htpasswd.path) } }\n"
        }
        let configFile = directory.appendingPathComponent("config.yml")
        try Data(config.utf8).write(to: configFile)
        process = try Subprocess("/usr/bin/docker-registry", ["serve", configFile.path])
        for _ in 0..<200 {
            if let response = try? await TestServer.send("http://\(address)/v2/", timeout: .seconds(2)),
                response.status == 200 || response.status == 401
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("docker-registry did not start on \(address): \(process.stderr)")
    }

    /// The registry's own file for a blob, to corrupt it.
    func blobFile(_ digest: String) -> URL {
        let hex = String(digest.dropFirst("sha256:".count))
        return storage.appendingPathComponent("docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data")
    }

    func stop() async {
        process.signal(SIGTERM)
        _ = try? await process.waitForExit(timeout: 10)
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A loopback port nobody listens on right now.
enum FreePort {
    static func pick() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestFailure("cannot pick a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
