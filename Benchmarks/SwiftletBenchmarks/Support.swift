import Foundation

struct BenchmarkOptions {
    var duration = 10
    var connections = 64
    var only: String?

    func includes(_ part: String) -> Bool { only == nil || only == part }

    static func parse(_ arguments: ArraySlice<String>) -> BenchmarkOptions {
        var options = BenchmarkOptions()
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--duration": options.duration = iterator.next().flatMap(Int.init) ?? options.duration
            case "--connections": options.connections = iterator.next().flatMap(Int.init) ?? options.connections
            case "--only": options.only = iterator.next()
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
