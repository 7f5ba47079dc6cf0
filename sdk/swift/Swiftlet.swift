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

@_extern(wasm, module: "swiftlet_v1", name: "result_read") @_extern(c)
func _swiftlet_result_read(_ buf: UnsafeMutableRawPointer?, _ cap: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "result_meta") @_extern(c)
func _swiftlet_result_meta(
    _ name: UnsafeRawPointer?, _ nameLen: Int32, _ buf: UnsafeMutableRawPointer?, _ cap: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "state_get") @_extern(c)
func _swiftlet_state_get(
    _ store: UnsafeRawPointer?, _ storeLen: Int32, _ key: UnsafeRawPointer?, _ keyLen: Int32,
    _ buf: UnsafeMutableRawPointer?, _ cap: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "state_set") @_extern(c)
func _swiftlet_state_set(
    _ store: UnsafeRawPointer?, _ storeLen: Int32, _ key: UnsafeRawPointer?, _ keyLen: Int32,
    _ value: UnsafeRawPointer?, _ valueLen: Int32, _ etag: UnsafeRawPointer?, _ etagLen: Int32,
    _ flags: Int32, _ ttl: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "state_delete") @_extern(c)
func _swiftlet_state_delete(
    _ store: UnsafeRawPointer?, _ storeLen: Int32, _ key: UnsafeRawPointer?, _ keyLen: Int32,
    _ etag: UnsafeRawPointer?, _ etagLen: Int32, _ flags: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "publish_meta") @_extern(c)
func _swiftlet_publish_meta(
    _ pubsub: UnsafeRawPointer?, _ pubsubLen: Int32, _ topic: UnsafeRawPointer?, _ topicLen: Int32,
    _ data: UnsafeRawPointer?, _ dataLen: Int32, _ contentType: UnsafeRawPointer?, _ contentTypeLen: Int32,
    _ metadata: UnsafeRawPointer?, _ metadataLen: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "secret_get") @_extern(c)
func _swiftlet_secret_get(
    _ store: UnsafeRawPointer?, _ storeLen: Int32, _ name: UnsafeRawPointer?, _ nameLen: Int32,
    _ buf: UnsafeMutableRawPointer?, _ cap: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "config_get") @_extern(c)
func _swiftlet_config_get(
    _ store: UnsafeRawPointer?, _ storeLen: Int32, _ key: UnsafeRawPointer?, _ keyLen: Int32,
    _ buf: UnsafeMutableRawPointer?, _ cap: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "llm_complete") @_extern(c)
func _swiftlet_llm_complete(
    _ component: UnsafeRawPointer?, _ componentLen: Int32, _ prompt: UnsafeRawPointer?, _ promptLen: Int32, _ maxTokens: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "llm_stream") @_extern(c)
func _swiftlet_llm_stream(
    _ component: UnsafeRawPointer?, _ componentLen: Int32, _ prompt: UnsafeRawPointer?, _ promptLen: Int32, _ maxTokens: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "llm_stream_read") @_extern(c)
func _swiftlet_llm_stream_read(_ handle: Int32, _ buffer: UnsafeMutableRawPointer?, _ capacity: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "llm_stream_close") @_extern(c)
func _swiftlet_llm_stream_close(_ handle: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "http_send") @_extern(c)
func _swiftlet_http_send(
    _ method: UnsafeRawPointer?, _ methodLen: Int32, _ url: UnsafeRawPointer?, _ urlLen: Int32,
    _ headers: UnsafeRawPointer?, _ headersLen: Int32, _ body: UnsafeRawPointer?, _ bodyLen: Int32) -> Int32
@_extern(wasm, module: "swiftlet_v1", name: "invoke") @_extern(c)
func _swiftlet_invoke(
    _ appID: UnsafeRawPointer?, _ appIDLen: Int32, _ method: UnsafeRawPointer?, _ methodLen: Int32,
    _ path: UnsafeRawPointer?, _ pathLen: Int32, _ headers: UnsafeRawPointer?, _ headersLen: Int32,
    _ body: UnsafeRawPointer?, _ bodyLen: Int32) -> Int32

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
    public static let loop = SwiftletError(code: -11)
}

/// Calls `body` with the UTF-8 bytes of each string, in order (no allocation for literals'
/// native storage beyond what `String` already holds).
func withUTF8s<R>(_ a: String, _ b: String, _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> R) -> R {
    var a = a
    var b = b
    return a.withUTF8 { a in b.withUTF8 { b in body(a, b) } }
}

/// The data of the last call that produced some (`result_read` / `result_meta`).
public enum LastResult {
    public static var bytes: [UInt8] {
        let length = Int(_swiftlet_result_read(nil, 0))
        guard length > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: length)
        _ = bytes.withUnsafeMutableBytes { _swiftlet_result_read($0.baseAddress, Int32($0.count)) }
        return bytes
    }

    public static var text: String { String(decoding: bytes, as: UTF8.self) }

    /// A field of the last result: `etag`, `version`, a response header name.
    public static func meta(_ name: String) -> String? {
        var name = name
        return name.withUTF8 { n in Request.copyOut { _swiftlet_result_meta(n.baseAddress, Int32(n.count), $0, $1) } }
    }
}

/// State stores (the component must list the store in `uses`).
public enum State {
    /// The value and its ETag, or `nil` when the key does not exist.
    public static func get(store: String, key: String) throws(SwiftletError) -> (value: [UInt8], etag: String)? {
        let length = withUTF8s(store, key) { s, k in
            _swiftlet_state_get(s.baseAddress, Int32(s.count), k.baseAddress, Int32(k.count), nil, 0)
        }
        if length == SwiftletError.notFound.code { return nil }
        if length < 0 { throw SwiftletError(code: length) }
        return (LastResult.bytes, LastResult.meta("etag") ?? "")
    }

    /// Writes `value`. With `etag`, only over that version; with `firstWrite` and no ETag,
    /// only if the key does not exist. ``SwiftletError/conflict`` otherwise.
    public static func set(
        store: String, key: String, value: some Collection<UInt8>, etag: String? = nil, firstWrite: Bool = false,
        ttlSeconds: Int32 = 0
    ) throws(SwiftletError) {
        var etagText = etag ?? ""
        let bytes = Array(value)
        let result = withUTF8s(store, key) { s, k in
            etagText.withUTF8 { e in
                bytes.withUnsafeBytes { v in
                    _swiftlet_state_set(
                        s.baseAddress, Int32(s.count), k.baseAddress, Int32(k.count), v.baseAddress, Int32(v.count),
                        e.baseAddress, Int32(e.count), firstWrite ? 1 : 0, ttlSeconds)
                }
            }
        }
        if result < 0 { throw SwiftletError(code: result) }
    }

    public static func delete(store: String, key: String, etag: String? = nil) throws(SwiftletError) {
        var etagText = etag ?? ""
        let result = withUTF8s(store, key) { s, k in
            etagText.withUTF8 { e in
                _swiftlet_state_delete(s.baseAddress, Int32(s.count), k.baseAddress, Int32(k.count), e.baseAddress, Int32(e.count), 0)
            }
        }
        if result < 0 { throw SwiftletError(code: result) }
    }
}

/// Publishing (the component must list the pub/sub component in `uses`).
public enum PubSub {
    /// Publishes `data` wrapped in a CloudEvent, or as it is when `rawPayload` (Dapr's
    /// metadata of that name) is set.
    public static func publish(
        pubsub: String, topic: String, data: some Collection<UInt8>, contentType: String = "application/json",
        rawPayload: Bool = false
    ) throws(SwiftletError) {
        var contentType = contentType
        var metadata = rawPayload ? "rawPayload: true\n" : ""
        let bytes = Array(data)
        let result = withUTF8s(pubsub, topic) { p, t in
            contentType.withUTF8 { c in
                metadata.withUTF8 { m in
                    bytes.withUnsafeBytes { d in
                        _swiftlet_publish_meta(
                            p.baseAddress, Int32(p.count), t.baseAddress, Int32(t.count), d.baseAddress, Int32(d.count),
                            c.baseAddress, Int32(c.count), m.baseAddress, Int32(m.count))
                    }
                }
            }
        }
        if result < 0 { throw SwiftletError(code: result) }
    }
}

/// Secrets and configuration values as text.
public enum Secrets {
    public static func get(store: String, name: String) throws(SwiftletError) -> String {
        let length = withUTF8s(store, name) { s, n in
            _swiftlet_secret_get(s.baseAddress, Int32(s.count), n.baseAddress, Int32(n.count), nil, 0)
        }
        if length < 0 { throw SwiftletError(code: length) }
        return LastResult.text
    }
}

public enum Configuration {
    public static func get(store: String, key: String) throws(SwiftletError) -> String {
        let length = withUTF8s(store, key) { s, k in
            _swiftlet_config_get(s.baseAddress, Int32(s.count), k.baseAddress, Int32(k.count), nil, 0)
        }
        if length < 0 { throw SwiftletError(code: length) }
        return LastResult.text
    }
}

/// Outbound HTTP and service invocation; the status is returned, the body is ``LastResult``.
public enum Outbound {
    /// Sends an HTTP request to an allowed host. `headers` are `name: value` lines.
    public static func send(method: String, url: String, headers: String = "", body: [UInt8] = []) throws(SwiftletError) -> Int32 {
        var headers = headers
        let status = withUTF8s(method, url) { m, u in
            headers.withUTF8 { h in
                body.withUnsafeBytes { b in
                    _swiftlet_http_send(
                        m.baseAddress, Int32(m.count), u.baseAddress, Int32(u.count), h.baseAddress, Int32(h.count),
                        b.baseAddress, Int32(b.count))
                }
            }
        }
        if status < 0 { throw SwiftletError(code: status) }
        return status
    }

    /// Invokes `path` of app `appID` (another component of an app, by its routes).
    public static func invoke(appID: String, method: String, path: String, body: [UInt8] = []) throws(SwiftletError) -> Int32 {
        var path = path
        let status = withUTF8s(appID, method) { a, m in
            path.withUTF8 { p in
                body.withUnsafeBytes { b in
                    _swiftlet_invoke(
                        a.baseAddress, Int32(a.count), m.baseAddress, Int32(m.count), p.baseAddress, Int32(p.count), nil, 0,
                        b.baseAddress, Int32(b.count))
                }
            }
        }
        if status < 0 { throw SwiftletError(code: status) }
        return status
    }
}

/// A conversation component in the component's `uses`, within the request's token budget
/// (`limits.tokens`) and deadline.
public enum Model {
    /// A whole completion of `prompt`; `maxTokens` 0 means what is left of the budget.
    /// Finish reason and token counts: ``LastResult/meta(_:)``.
    public static func complete(_ component: String, prompt: String, maxTokens: Int32 = 0) throws(SwiftletError) -> String {
        let length = withUTF8s(component, prompt) { c, p in
            _swiftlet_llm_complete(c.baseAddress, Int32(c.count), p.baseAddress, Int32(p.count), maxTokens)
        }
        if length < 0 { throw SwiftletError(code: length) }
        return LastResult.text
    }

    /// A completion read as it is made.
    public struct Stream: ~Copyable {
        let handle: Int32

        /// The next piece of text, or nil at the end.
        public func next() throws(SwiftletError) -> String? {
            let result: (String?, Int32) = withUnsafeTemporaryAllocation(byteCount: 512, alignment: 1) { buffer in
                let count = _swiftlet_llm_stream_read(handle, buffer.baseAddress, 512)
                guard count > 0 else { return (nil, count) }
                return (String(decoding: UnsafeRawBufferPointer(rebasing: buffer[0..<Int(count)]), as: UTF8.self), count)
            }
            if result.1 < 0 { throw SwiftletError(code: result.1) }
            return result.0
        }

        deinit { _ = _swiftlet_llm_stream_close(handle) }
    }

    public static func stream(_ component: String, prompt: String, maxTokens: Int32 = 0) throws(SwiftletError) -> Stream {
        let handle = withUTF8s(component, prompt) { c, p in
            _swiftlet_llm_stream(c.baseAddress, Int32(c.count), p.baseAddress, Int32(p.count), maxTokens)
        }
        if handle < 0 { throw SwiftletError(code: handle) }
        return Stream(handle: handle)
    }
}

// MARK: Request

/// The request being handled.
public enum Request {
    public static var method: String { copyOut { _swiftlet_req_method($0, $1) } ?? "" }

    /// Whether the method is `method`, compared byte for byte: cheaper than `method ==`,
    /// which links Unicode normalisation tables into an Embedded Swift module.
    public static func isMethod(_ method: StaticString) -> Bool {
        withUnsafeTemporaryAllocation(byteCount: 16, alignment: 1) { buffer in
            let length = _swiftlet_req_method(buffer.baseAddress, 16)
            guard Int(length) == method.utf8CodeUnitCount else { return false }
            for index in 0..<Int(length) where buffer[index] != method.utf8Start[index] { return false }
            return true
        }
    }
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
