// examples/cron: the every-second cron binding delivers a POST here each second; each one
// appends a line to the "ticks" log in the state store. GET /ticks shows the log.

@_expose(wasm, "swiftlet_handle") @_cdecl("swiftlet_handle")
func handle() -> Int32 {
    Response.setHeader("content-type", "text/plain")
    do throws(SwiftletError) {
        if Request.isMethod("POST") {
            try appendTick()
        } else {
            let log = try State.get(store: "statestore", key: "ticks")?.value ?? []
            log.withUnsafeBytes { _ = Response.write($0) }
        }
    } catch {
        Response.setStatus(500)
        Response.write("state store error \(error.code)\n")
    }
    return 0
}

func appendTick() throws(SwiftletError) {
    while true {
        let current = try State.get(store: "statestore", key: "ticks")
        var log = current?.value ?? []
        var lines = 0
        for byte in log where byte == 10 { lines += 1 }
        log += Array("tick \(lines + 1)\n".utf8)
        do throws(SwiftletError) {
            try State.set(store: "statestore", key: "ticks", value: log, etag: current?.etag, firstWrite: true)
            return
        } catch {
            guard error.code == SwiftletError.conflict.code else { throw error }
        }
    }
}
