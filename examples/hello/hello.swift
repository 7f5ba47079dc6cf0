// A handler guest in Embedded Swift: it exports `swiftlet_handle` and builds the response
// through the swiftlet_v1 ABI (sdk/swift/Swiftlet.swift). Warm instances serve many requests.

@_expose(wasm, "swiftlet_handle") @_cdecl("swiftlet_handle")
func handle() -> Int32 {
    Response.setHeader("content-type", "text/plain; charset=utf-8")
    Response.write("Hello from Embedded Swift, served by a warm handler instance\n")
    return 0
}
