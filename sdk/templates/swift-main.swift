// {{name}}: a Swiftlet handler in Embedded Swift. The ABI wrapper is Swiftlet.swift.

@_expose(wasm, "swiftlet_handle") @_cdecl("swiftlet_handle")
func handle() -> Int32 {
    guard let name = Request.parameter("name") else {
        Response.setStatus(400)
        Response.write("name missing\n")
        return 0
    }
    Response.setHeader("content-type", "text/plain; charset=utf-8")
    Response.write("Hello, \(name)!\n")
    return 0
}
