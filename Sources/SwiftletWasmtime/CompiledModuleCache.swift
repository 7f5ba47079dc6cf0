import Crypto
import Foundation

/// Compiled code on disk, so a restart does not compile again.
///
/// Entries are keyed by the module's digest, the Wasmtime version and the engine settings
/// that change code. Wasmtime rejects artifacts of another version or configuration, but
/// not corrupted machine code (a damaged entry would run), so every entry carries its own
/// SHA-256 and one that does not verify is compiled again, never loaded.
struct CompiledModuleCache: Sendable {
    let directory: String

    private static let magic = Array("SWIFTLET-CWASM-1".utf8)

    /// `$SWIFTLET_CACHE_DIR/wasmtime`, else `$XDG_CACHE_HOME/swiftlet/wasmtime`, else
    /// `~/.cache/swiftlet/wasmtime`.
    static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["SWIFTLET_CACHE_DIR"], !explicit.isEmpty { return explicit + "/wasmtime" }
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty { return cache + "/swiftlet/wasmtime" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/swiftlet/wasmtime"
    }

    /// The file of a module's entry.
    func path(module bytes: [UInt8], variant: String) -> String {
        var hasher = SHA256()
        hasher.update(data: bytes)
        hasher.update(data: Array("\0\(WasmtimeLibrary.version)\0\(variant)".utf8))
        let key = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return "\(directory)/\(key).cwasm"
    }

    /// The artifact at `path` if it is there and intact.
    func read(_ path: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let bytes = [UInt8](data)
        let header = Self.magic.count + SHA256.byteCount
        guard bytes.count > header, Array(bytes[..<Self.magic.count]) == Self.magic else { return nil }
        let payload = bytes[header...]
        guard Array(SHA256.hash(data: payload)) == Array(bytes[Self.magic.count..<header]) else { return nil }
        return Array(payload)
    }

    /// Stores an artifact; a failure only costs a compile next time.
    func write(_ artifact: [UInt8], to path: String) {
        var file = Self.magic
        file += Array(SHA256.hash(data: artifact))
        file += artifact
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            // Write aside and rename, so a reader never sees half an entry.
            let temporary = "\(path).\(ProcessInfo.processInfo.processIdentifier).tmp"
            try Data(file).write(to: URL(fileURLWithPath: temporary))
            if rename(temporary, path) != 0 { try? FileManager.default.removeItem(atPath: temporary) }
        } catch {}
    }
}
