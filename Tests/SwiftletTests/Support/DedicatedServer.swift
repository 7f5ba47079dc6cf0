import Foundation
import Testing

/// A backend process of the test's own, on its own port, that the test may stop and start
/// again to see how Swiftlet copes with an outage (the shared services must stay up).
final class DedicatedServer: @unchecked Sendable {
    let executable: String
    let arguments: [String]
    let port: Int
    let directory: URL
    private var process: Subprocess?

    static func redis() throws -> DedicatedServer {
        let port = Int.random(in: 20_000..<30_000)
        let directory = try Paths.temporaryDirectory()
        return DedicatedServer(
            executable: try locate("redis-server"),
            arguments: ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", "--dir", directory.path],
            port: port, directory: directory)
    }

    static func nats() throws -> DedicatedServer {
        let port = Int.random(in: 30_000..<40_000)
        let directory = try Paths.temporaryDirectory()
        return DedicatedServer(
            executable: try locate("nats-server"),
            arguments: ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", directory.appendingPathComponent("js").path],
            port: port, directory: directory)
    }

    init(executable: String, arguments: [String], port: Int, directory: URL) {
        self.executable = executable
        self.arguments = arguments
        self.port = port
        self.directory = directory
    }

    static func locate(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        for directory in ["/usr/bin", "/usr/sbin", "/usr/local/bin"] {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        Issue.record("\(name) is not installed: apt-get install \(name) (scripts/test.sh does)", sourceLocation: sourceLocation)
        throw MissingPrerequisite()
    }

    /// Starts the server and waits until its port accepts connections.
    func start() async throws {
        process = try Subprocess(executable, arguments)
        let deadline = Date().addingTimeInterval(Timing.bound(30))
        while Date() < deadline {
            if Self.accepts(port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("\(executable) did not start on port \(port)")
    }

    /// Kills the server, the way an outage looks from outside. (A gentler signal can be
    /// blocked in children of the test process, which inherit its signal mask.)
    func stop() async throws {
        process?.signal(SIGKILL)
        _ = try await process?.waitForExit(timeout: 10)
        process = nil
    }

    deinit {
        process?.signal(SIGKILL)
        try? FileManager.default.removeItem(at: directory)
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
