// Swiftlet.swift — the Swiftlet handler ABI for Embedded Swift guests.
//
// Compile this file together with your handler (see docs/abi.md and `swiftlet new swift`).
// Your handler is a function exported as `swiftlet_handle`:
//
//     @_expose(wasm, "swiftlet_handle") @_cdecl("swiftlet_handle")
//     func handle() -> Int32 {
//         Response.setHeader("content-type", "text/plain")
//         Response.write("Hello, \(Request.path)\n")
//         return 0
//     }
//
// The StaticString overloads allocate nothing; the String ones use the allocator that
// wasi-libc provides when the module is linked against it.

// MARK: Raw imports (module "swiftlet_v1")

@_extern(wasm, module: "swiftlet_v1", name: "req_method") @_extern(c)
func _swiftlet_req_method(_ buf: UnsafeMutableRawPointer?, _ cap: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "req_path") @_extern(c)
func _swiftlet_req_path(_ buf: UnsafeMutableRawPointer?, _ cap: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "req_query") @_extern(c)
func _swiftlet_req_query(_ buf: UnsafeMutableRawPointer?, _ cap: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "req_header") @_extern(c)
func _swiftlet_req_header(
    _ name: UnsafeRawPointer?, _ nameLen: Int32, _ buf: UnsafeMutableRawPointer?, _ cap: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "req_headers") @_extern(c)
func _swiftlet_req_headers(_ buf: UnsafeMutableRawPointer?, _ cap: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "req_param") @_extern(c)
func _swiftlet_req_param(
    _ name: UnsafeRawPointer?, _ nameLen: Int32, _ buf: UnsafeMutableRawPointer?, _ cap: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "req_body_len") @_extern(c)
func _swiftlet_req_body_len() -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "req_body_read") @_extern(c)
func _swiftlet_req_body_read(_ buf: UnsafeMutableRawPointer?, _ cap: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "resp_status") @_extern(c)
func _swiftlet_resp_status(_ status: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "resp_header") @_extern(c)
func _swiftlet_resp_header(
    _ name: UnsafeRawPointer?, _ nameLen: Int32, _ value: UnsafeRawPointer?, _ valueLen: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "resp_write") @_extern(c)
func _swiftlet_resp_write(_ buf: UnsafeRawPointer?, _ len: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "resp_flush") @_extern(c)
func _swiftlet_resp_flush() -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "log") @_extern(c)
func _swiftlet_log(_ level: Int32, _ msg: UnsafeRawPointer?, _ len: Int32) -> Int32

// MARK: Errors

/// A negative result of a host call (docs/abi.md lists the codes).
public struct SwiftletError: Error {
    public let code: Int32
    public static let fault = SwiftletError(code: -1)
    public static let notFound = SwiftletError(code: -2)
    public static let invalid = SwiftletError(code: -3)
    public static let tooLarge = SwiftletError(code: -4)
    public static let badState = SwiftletError(code: -5)
    public static let denied = SwiftletError(code: -6)
    public static let unavailable = SwiftletError(code: -7)
    public static let conflict = SwiftletError(code: -8)
    public static let timeout = SwiftletError(code: -9)
}

// MARK: Request

/// The request being handled.
public enum Request {
    public static var method: String { copyOut { _swiftlet_req_method($0, $1) } ?? "" }
    public static var path: String { copyOut { _swiftlet_req_path($0, $1) } ?? "" }
    public static var query: String { copyOut { _swiftlet_req_query($0, $1) } ?? "" }
    /// All headers as `name: value` lines.
    public static var headers: String { copyOut { _swiftlet_req_headers($0, $1) } ?? "" }

    /// A header by name (case-insensitive), or `nil`.
    public static func header(_ name: String) -> String? {
        var name = name
        return name.withUTF8 { n in copyOut { _swiftlet_req_header(n.baseAddress, Int32(n.count), $0, $1) } }
    }

    /// A route parameter bound by `:name` (or `...` for a wildcard's remainder), or `nil`.
    public static func parameter(_ name: String) -> String? {
        var name = name
        return name.withUTF8 { n in copyOut { _swiftlet_req_param(n.baseAddress, Int32(n.count), $0, $1) } }
    }

    /// The whole request body.
    public static var body: [UInt8] {
        let length = Int(_swiftlet_req_body_len())
        guard length > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: length)
        var offset = 0
        bytes.withUnsafeMutableBytes { buffer in
            while offset < length {
                let read = _swiftlet_req_body_read(buffer.baseAddress! + offset, Int32(length - offset))
                if read <= 0 { break }
                offset += Int(read)
            }
        }
        return bytes
    }

    /// Calls a copy-out host function: first with a stack buffer, again with an exact one
    /// when the value is longer.
    static func copyOut(_ call: (UnsafeMutableRawPointer?, Int32) -> Int32) -> String? {
        let result: (String?, Int32) = withUnsafeTemporaryAllocation(byteCount: 256, alignment: 1) { buffer in
            let length = call(buffer.baseAddress, 256)
            if length < 0 { return (nil, length) }
            if length > 256 { return (nil, length) }
            return (String(decoding: UnsafeRawBufferPointer(rebasing: buffer[0..<Int(length)]), as: UTF8.self), length)
        }
        if let string = result.0 { return string }
        guard result.1 > 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(result.1))
        let length = bytes.withUnsafeMutableBytes { call($0.baseAddress, Int32($0.count)) }
        guard length >= 0, Int(length) <= bytes.count else { return nil }
        return String(decoding: bytes[0..<Int(length)], as: UTF8.self)
    }
}

// MARK: Response

/// The response being built.
public enum Response {
    /// Sets the status code (200 unless set).
    @discardableResult
    public static func setStatus(_ status: Int32) -> Int32 { _swiftlet_resp_status(status) }

    /// Adds a header; allocation-free.
    @discardableResult
    public static func setHeader(_ name: StaticString, _ value: StaticString) -> Int32 {
        _swiftlet_resp_header(
            name.utf8Start, Int32(name.utf8CodeUnitCount), value.utf8Start, Int32(value.utf8CodeUnitCount))
    }

    /// Adds a header. (Disfavoured so that literals pick the allocation-free overload.)
    @discardableResult @_disfavoredOverload
    public static func setHeader(_ name: some StringProtocol, _ value: some StringProtocol) -> Int32 {
        var name = String(name)
        var value = String(value)
        return name.withUTF8 { n in
            value.withUTF8 { v in
                _swiftlet_resp_header(n.baseAddress, Int32(n.count), v.baseAddress, Int32(v.count))
            }
        }
    }

    /// Appends text to the body; allocation-free.
    @discardableResult
    public static func write(_ text: StaticString) -> Int32 {
        _swiftlet_resp_write(text.utf8Start, Int32(text.utf8CodeUnitCount))
    }

    /// Appends text to the body. (Disfavoured so that literals pick the allocation-free overload.)
    @discardableResult @_disfavoredOverload
    public static func write(_ text: some StringProtocol) -> Int32 {
        var text = String(text)
        return text.withUTF8 { _swiftlet_resp_write($0.baseAddress, Int32($0.count)) }
    }

    /// Appends bytes to the body.
    @discardableResult
    public static func write(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        _swiftlet_resp_write(bytes.baseAddress, Int32(bytes.count))
    }

    /// Sends what is written so far; later writes stream in chunks.
    @discardableResult
    public static func flush() -> Int32 { _swiftlet_resp_flush() }
}

// MARK: Logging

public enum LogLevel: Int32 {
    case trace = 0, debug, info, warning, error
}

/// Writes a line to Swiftlet's log, tagged with the request id.
public func log(_ level: LogLevel, _ message: String) {
    var message = message
    _ = message.withUTF8 { _swiftlet_log(level.rawValue, $0.baseAddress, Int32($0.count)) }
}
