// examples/counter: POST /count increments a counter kept in the state store, GET /count
// reads it. Concurrent increments never lose an update: each write carries the ETag it read
// and a conflict means "someone else won, read again".

@_expose(wasm, "swiftlet_handle") @_cdecl("swiftlet_handle")
func handle() -> Int32 {
    Response.setHeader("content-type", "text/plain")
    do throws(SwiftletError) {
        if Request.isMethod("POST") {
            Response.write("\(try increment())\n")
        } else {
            Response.write("\(try current().value)\n")
        }
    } catch {
        Response.setStatus(error.code == SwiftletError.unavailable.code ? 503 : 500)
        Response.write("state store error \(error.code)\n")
    }
    return 0
}

func current() throws(SwiftletError) -> (value: Int, etag: String?) {
    guard let item = try State.get(store: "statestore", key: "count") else { return (0, nil) }
    var value = 0
    for byte in item.value where byte >= 48 && byte <= 57 { value = value * 10 + Int(byte - 48) }
    return (value, item.etag)
}

func increment() throws(SwiftletError) -> Int {
    while true {
        let (value, etag) = try current()
        let next = value + 1
        do throws(SwiftletError) {
            // No ETag yet means the key is new: first-write makes creating it conditional too.
            try State.set(store: "statestore", key: "count", value: Array("\(next)".utf8), etag: etag, firstWrite: true)
            return next
        } catch {
            guard error.code == SwiftletError.conflict.code else { throw error }
        }
    }
}
