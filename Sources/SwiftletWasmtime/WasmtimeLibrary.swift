import CSwiftletWasmtime
import Foundation
import SwiftletCore

/// Wasmtime's C library, loaded once per process with `dlopen` so that Swiftlet builds and
/// runs without it.
///
/// Never unloaded: once an engine exists, Wasmtime's signal handlers and thread-local
/// destructors point into the library.
public final class WasmtimeLibrary: @unchecked Sendable {
    /// The Wasmtime release whose C API the declarations in `CSwiftletWasmtime` describe.
    public static let version = "50.0.1"
    /// The variable that names the library file.
    public static let environmentVariable = "SWIFTLET_WASMTIME_LIB"

    /// Entry points, filled by the loader and never written again.
    let api: UnsafeMutablePointer<swiftlet_wasmtime_api>
    public let path: String

    private init(path: String, api: UnsafeMutablePointer<swiftlet_wasmtime_api>) {
        self.path = path
        self.api = api
    }

    /// Where the library is looked for, in order: `SWIFTLET_WASMTIME_LIB`, then beside the
    /// executable (`../lib/swiftlet/`), then where `scripts/install-wasmtime.sh` puts it.
    public static func candidates(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        if let explicit = environment[environmentVariable], !explicit.isEmpty { return [explicit] }
        var paths: [String] = []
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        paths.append(
            executable.deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("lib/swiftlet/libwasmtime-\(version).so").path)
        paths.append(installDirectory(environment: environment) + "/libwasmtime-\(version).so")
        return paths
    }

    /// The default install location: `$XDG_DATA_HOME/swiftlet` or `~/.local/share/swiftlet`.
    public static func installDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty { return data + "/swiftlet" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share/swiftlet"
    }

    /// Why the library could not be used, in one line that says how to fix it.
    public struct Unavailable: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    private static let loaded = Locked<[String: Result<WasmtimeLibrary, Unavailable>]>([:])

    /// The library from the first candidate that exists, loaded once.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(Unavailable)
        -> WasmtimeLibrary
    {
        let paths = candidates(environment: environment)
        guard let path = paths.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw Unavailable(
                description:
                    "the Wasmtime \(version) library was not found (looked at \(paths.joined(separator: ", "))); "
                    + "install it with scripts/install-wasmtime.sh or set \(environmentVariable)")
        }
        return try loaded.withLock { cache throws(Unavailable) -> WasmtimeLibrary in
            if let result = cache[path] { return try result.get() }
            let api = UnsafeMutablePointer<swiftlet_wasmtime_api>.allocate(capacity: 1)
            var message = [CChar](repeating: 0, count: 512)
            let status = swiftlet_wasmtime_load(path, api, &message, message.count)
            let result: Result<WasmtimeLibrary, Unavailable>
            if status == 0 {
                result = .success(WasmtimeLibrary(path: path, api: api))
            } else {
                api.deallocate()
                let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                result = .failure(
                    Unavailable(
                        description: "cannot load Wasmtime from \(path): \(reason); reinstall it with scripts/install-wasmtime.sh"))
            }
            cache[path] = result
            return try result.get()
        }
    }

    /// An error's message; the error is deleted.
    func take(_ error: OpaquePointer) -> String {
        var buffer = [CChar](repeating: 0, count: 1024)
        swiftlet_wasmtime_error_take(api, error, &buffer, buffer.count)
        return Self.cause(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// A trap's message and code (-1 when it has none); the trap is deleted.
    func take(trap: OpaquePointer) -> (message: String, code: Int32) {
        var buffer = [CChar](repeating: 0, count: 1024)
        var code: Int32 = -1
        swiftlet_wasmtime_trap_take(api, trap, &code, &buffer, buffer.count)
        return (Self.cause(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)), code)
    }

    /// Wasmtime's messages start with a backtrace and end with "Caused by:" and the reason;
    /// only the reason's last line is for people.
    static func cause(_ text: String) -> String {
        guard let range = text.range(of: "Caused by:") else {
            return text.split(separator: "\n").first.map(String.init) ?? text
        }
        let lines = text[range.upperBound...].split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let last = lines.last(where: { !$0.isEmpty }) else { return text }
        // "1: wasm trap: out of bounds memory access" -> "wasm trap: out of bounds memory access"
        if let colon = last.firstIndex(of: ":"), last[..<colon].allSatisfy(\.isNumber) {
            return last[last.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return last
    }
}
