import WasmKit
import WasmKitWASI
import Foundation
import Dispatch

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
let loopBytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "/tmp/g/loop.wasm")))
let helloBytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "/tmp/g/hello.wasm")))

final class Box: @unchecked Sendable { var store: Store?; var done = false }

for metered in [false, true] {
  for mode in [EngineConfiguration.CompilationMode.lazy, .eager] {
    let engine = Engine(configuration: EngineConfiguration(compilationMode: mode, fuelMetering: metered))
    let module = try parseWasm(bytes: helloBytes)
    var total: UInt64 = 0; var inst: UInt64 = 0
    let devnull = open("/dev/null", O_WRONLY)
    let n = 200
    for _ in 0..<n {
        let t0 = now()
        let store = Store(engine: engine)
        let wasi = try WASIBridgeToHost(args: ["hello"], stdout: devnull)
        var imports = Imports()
        wasi.link(to: &imports, store: store)
        let instance = try module.instantiate(store: store, imports: imports)
        let t1 = now()
        _ = try wasi.start(instance)
        try wasi.close()
        total += now() - t0; inst += t1 - t0
    }
    print("hello metered=\(metered) \(mode): total \(total / UInt64(n) / 1000) us, instantiate \(inst / UInt64(n) / 1000) us")
  }
}

// Interrupt test
let engine = Engine(configuration: EngineConfiguration(fuelMetering: true))
let module = try parseWasm(bytes: loopBytes)
let store = Store(engine: engine)
store.fuel = Fuel(remaining: .max - 1)
let wasi = try WASIBridgeToHost(args: ["loop"])
var imports = Imports()
wasi.link(to: &imports, store: store)
let instance = try module.instantiate(store: store, imports: imports)
let box = Box(); box.store = store
let t0 = now()
Thread.detachNewThread {
    Thread.sleep(forTimeInterval: 0.2)
    while !box.done { box.store!.fuel = Fuel(remaining: 0); usleep(1000) }
}
do { _ = try wasi.start(instance); print("returned?") } catch { print("caught after \((now()-t0)/1_000_000) ms: \(error)") }
box.done = true
try wasi.close()
