import Foundation

struct BenchmarkOptions {
    var duration = 10
    var connections = 64
    var only: String?
    /// `--requests`: how many requests the soak sends (100,000 by default).
    var requests: Int?
    /// `--engine`: the tier the soak's server runs its guests on (default: the server's auto).
    var engine: String?

    func includes(_ part: String) -> Bool { only == nil || only == part }

    static func parse(_ arguments: ArraySlice<String>) -> BenchmarkOptions {
        var options = BenchmarkOptions()
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--duration": options.duration = iterator.next().flatMap(Int.init) ?? options.duration
            case "--connections": options.connections = iterator.next().flatMap(Int.init) ?? options.connections
            case "--only": options.only = iterator.next()
            case "--requests": options.requests = iterator.next().flatMap(Int.init)
            case "--engine": options.engine = iterator.next()
            default: break
            }
        }
        return options
    }
}

struct BenchmarkPaths {
    let repository: URL
    let swiftletBinary: String
    var helloManifest: String { repository.appendingPathComponent("examples/hello/swiftlet.yaml").path }
    var helloC: String { repository.appendingPathComponent("examples/hello/hello-c.wasm").path }
    var helloSwift: String { repository.appendingPathComponent("examples/hello/hello-swift.wasm").path }
    /// The test guests (scripts/build-guests.sh tests).
    var guests: String { repository.appendingPathComponent("guests/build").path }

    static func locate() throws -> BenchmarkPaths {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("swiftlet").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchmarkError("\(binary) is missing: build with `swift build -c release` first")
        }
        return BenchmarkPaths(repository: repository, swiftletBinary: binary)
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Prints aligned results as they come.
final class BenchmarkReport: Sendable {
    func section(_ title: String) {
        print("\n== \(title)")
    }

    func line(_ text: String) {
        print(text)
    }
}

/// Resident set size of a process, from /proc.
func residentMegabytes(pid: Int32) -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kilobytes = line.split(separator: " ").compactMap({ Double($0) }).first
    else { return nil }
    return kilobytes / 1024
}

func format(_ value: Double, _ digits: Int = 2) -> String {
    String(format: "%.\(digits)f", value)
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`. The benchmarks' fixed
/// ports sit below Linux's ephemeral range (32768-60999): a port in it can be taken by any
/// outgoing connection, and connecting to it can even connect a socket to itself.
/// Start-up is timed with
/// this plain connect() first: AsyncHTTPClient backs off (about 100 ms) after a refused
/// connection, which would round every start-up time up to its retry schedule.
func isListening(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}
