import CSwiftletWasmtime
import Crypto
import Foundation
import SwiftletWasmHost
import SwiftletWasmtime
import Testing

/// The Wasmtime tier's own machinery: the C declarations against Wasmtime 50's layouts,
/// finding the library, and the compiled-code cache.
@Suite struct WasmtimeTierTests {
    /// Sizes and offsets of the by-value structs Swiftlet passes to Wasmtime, as the v50
    /// bindings (the wheel's `_bindings.py`) declare them. A mismatch would corrupt memory
    /// silently, so it fails here first.
    @Test func structLayoutsMatchWasmtime50() {
        #expect(MemoryLayout<wasm_byte_vec_t>.size == 16)
        #expect(MemoryLayout<wasmtime_func_t>.size == 16)
        #expect(MemoryLayout<wasmtime_memory_t>.size == 24)
        #expect(MemoryLayout<wasmtime_memory_t>.offset(of: \.opaque2) == 16)
        #expect(MemoryLayout<wasmtime_global_t>.size == 24)
        #expect(MemoryLayout<wasmtime_extern_t>.size == 32)
        #expect(MemoryLayout<wasmtime_extern_t>.offset(of: \.of) == 8)
        #expect(MemoryLayout<wasmtime_instance_t>.size == 16)
        #expect(MemoryLayout<wasmtime_val_raw_t>.size == 16)
    }

    @Test func aMissingLibrarySaysHowToInstallIt() {
        #expect {
            try WasmtimeLibrary.load(environment: ["SWIFTLET_WASMTIME_LIB": "/nonexistent/libwasmtime.so"])
        } throws: { error in
            let text = "\(error)"
            return text.contains("/nonexistent/libwasmtime.so") && text.contains("scripts/install-wasmtime.sh")
                && !text.contains("\n")
        }
    }

    @Test func aLibraryThatIsNotWasmtimeIsRefused() throws {
        let libc = try #require(["/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6"].first {
            FileManager.default.fileExists(atPath: $0)
        })
        #expect {
            try WasmtimeLibrary.load(environment: ["SWIFTLET_WASMTIME_LIB": libc])
        } throws: { error in
            "\(error)".contains("missing symbol")
        }
    }

    @Test func compiledCodeIsCachedAndABadEntryIsCompiledAgain() throws {
        try Engines.require(.wasmtime)
        let library = try WasmtimeLibrary.load()
        let cache = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Paths.guest("wagi-echo"))))
        func load() throws -> any GuestModule {
            try WasmtimeEngine(library: library, cacheDirectory: cache.path).loadModule(bytes: bytes, name: "echo", meterFuel: false)
        }
        func entries() throws -> [URL] {
            try FileManager.default.contentsOfDirectory(at: cache, includingPropertiesForKeys: nil)
        }
        func run(_ module: any GuestModule) throws -> String {
            let session = GuestSession(stdout: .capture(limit: 1 << 20))
            let instance = try module.instantiate(InstanceOptions(memoryLimit: 16 << 20), session: session, prepareAhead: false)
            defer { instance.close() }
            session.begin(nil)
            _ = try instance.run(.command, fuel: nil, deadline: nil, memoryLimit: 16 << 20)
            return String(decoding: session.stdout.bytes, as: UTF8.self)
        }

        #expect(try run(try load()).contains("content-type: text/plain"))
        let entry = try #require(try entries().first)
        let cached = try Data(contentsOf: entry)

        // Damage one byte of the compiled code: the checksum catches it, the module is
        // compiled again and the entry rewritten.
        var damaged = cached
        damaged[damaged.count - 100] ^= 0xFF
        try damaged.write(to: entry)
        #expect(try run(try load()).contains("content-type: text/plain"))
        #expect(try Data(contentsOf: entry) == cached)

        // An intact entry whose content is not Wasmtime's (a foreign file): refused by
        // Wasmtime, compiled again.
        var foreign = Array(cached.prefix(16))
        let junk = [UInt8](repeating: 0x41, count: 4096)
        foreign += Array(SHA256.hash(data: junk))
        foreign += junk
        try Data(foreign).write(to: entry)
        #expect(try run(try load()).contains("content-type: text/plain"))
        #expect(try Data(contentsOf: entry) == cached)
    }

    /// Instances come from a pool of reserved slots; when every slot is taken, the next
    /// instance is made without the pool instead of the request being refused, and a slot
    /// freed is used again.
    @Test func instancesPastThePoolAreStillServed() throws {
        try Engines.require(.wasmtime)
        let library = try WasmtimeLibrary.load()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Paths.guest("wagi-echo"))))
        let engine = WasmtimeEngine(library: library, cacheDirectory: nil, poolSlots: 2)
        #expect(engine.poolSlots == 2)
        let module = try engine.loadModule(bytes: bytes, name: "echo", meterFuel: false)
        func run(_ instance: any GuestInstance, _ session: GuestSession) throws -> String {
            session.begin(nil)
            _ = try instance.run(.command, fuel: nil, deadline: nil, memoryLimit: 16 << 20)
            return String(decoding: session.stdout.bytes, as: UTF8.self)
        }
        var live: [(any GuestInstance, GuestSession)] = []
        for _ in 0..<4 {
            let session = GuestSession(stdout: .capture(limit: 1 << 20))
            live.append((try module.instantiate(InstanceOptions(memoryLimit: 16 << 20), session: session, prepareAhead: false), session))
        }
        for (instance, session) in live {
            #expect(try run(instance, session).contains("content-type: text/plain"), "all four ran, two past the pool")
            instance.close()
        }
        let session = GuestSession(stdout: .capture(limit: 1 << 20))
        let again = try module.instantiate(InstanceOptions(memoryLimit: 16 << 20), session: session, prepareAhead: false)
        #expect(try run(again, session).contains("content-type: text/plain"))
        again.close()
    }

    @Test func thePoolSizeComesFromTheEnvironmentWithinBounds() {
        #expect(WasmtimeEngine.defaultPoolSlots(environment: [:]) == 200)
        #expect(WasmtimeEngine.defaultPoolSlots(environment: ["SWIFTLET_WASMTIME_POOL": "0"]) == 0)
        #expect(WasmtimeEngine.defaultPoolSlots(environment: ["SWIFTLET_WASMTIME_POOL": "99999999"]) == 10_000)
        #expect(WasmtimeEngine.defaultPoolSlots(environment: ["SWIFTLET_WASMTIME_POOL": "-5"]) == 0)
    }
}
