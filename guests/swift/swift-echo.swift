// Handler test guest (Embedded Swift): exercises the String side of sdk/swift/Swiftlet.swift.

@_expose(wasm, "swiftlet_handle") @_cdecl("swiftlet_handle")
func handle() -> Int32 {
    Response.setHeader("content-type", "text/plain")
    let name = Request.parameter("name") ?? "nobody"
    Response.setHeader("x-greeting", "hello \(name)")
    Response.write("method=\(Request.method)\n")
    Response.write("path=\(Request.path)\n")
    Response.write("query=\(Request.query)\n")
    Response.write("agent=\(Request.header("user-agent") ?? "none")\n")
    let body = Request.body
    Response.write("body-bytes=\(body.count)\n")
    body.withUnsafeBytes { _ = Response.write($0) }
    log(.info, "swift echo served \(Request.path)")
    return 0
}
