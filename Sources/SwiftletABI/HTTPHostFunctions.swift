/// `swiftlet_v1` functions that read the request and write the response (docs/abi.md).
public enum HTTPHostFunctions<Memory: GuestMemoryView> {
    public static var all: [HostFunction<Memory>] {
        [
            HostFunction("req_method", [.i32, .i32]) { call, memory, args throws(ABIError) in
                Int64(try memory.copyOut(call.request.method.utf8, to: args.u32(0), capacity: args.u32(1)))
            },
            HostFunction("req_path", [.i32, .i32]) { call, memory, args throws(ABIError) in
                Int64(try memory.copyOut(call.request.path.utf8, to: args.u32(0), capacity: args.u32(1)))
            },
            HostFunction("req_query", [.i32, .i32]) { call, memory, args throws(ABIError) in
                Int64(try memory.copyOut(call.request.query.utf8, to: args.u32(0), capacity: args.u32(1)))
            },
            HostFunction("req_header", [.i32, .i32, .i32, .i32]) { call, memory, args throws(ABIError) in
                try copyOutNamed(memory, args) { call.request.header($0) }
            },
            HostFunction("req_headers", [.i32, .i32]) { call, memory, args throws(ABIError) in
                var lines: [UInt8] = []
                for (name, value) in call.request.headers {
                    lines.append(contentsOf: name.utf8)
                    lines.append(contentsOf: ": ".utf8)
                    lines.append(contentsOf: value.utf8)
                    lines.append(UInt8(ascii: "\n"))
                }
                return Int64(try memory.copyOut(lines, to: args.u32(0), capacity: args.u32(1)))
            },
            HostFunction("req_param", [.i32, .i32, .i32, .i32]) { call, memory, args throws(ABIError) in
                try copyOutNamed(memory, args) { call.request.parameter($0) }
            },
            HostFunction("req_body_len", []) { call, _, _ throws(ABIError) in
                Int64(call.request.body.count)
            },
            HostFunction("req_body_read", [.i32, .i32]) { call, memory, args throws(ABIError) in
                let body = call.request.body
                let count = min(Int(args.u32(1)), body.count - call.requestBodyOffset)
                try memory.withBytes(args.u32(0), args.u32(1)) { buffer in
                    guard count > 0 else { return }
                    body.withUnsafeBytes { source in
                        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[call.requestBodyOffset..<call.requestBodyOffset + count]))
                    }
                }
                call.requestBodyOffset += count
                return Int64(count)
            },
            HostFunction("resp_status", [.i32]) { call, _, args throws(ABIError) in
                let status = args.i32(0)
                guard (100...999).contains(status) else { throw .invalid }
                guard !call.isCommitted else { throw .badState }
                call.status = Int(status)
                return 0
            },
            HostFunction("resp_header", [.i32, .i32, .i32, .i32]) { call, memory, args throws(ABIError) in
                let name = try memory.readString(args.u32(0), args.u32(1))
                let value = try memory.readString(args.u32(2), args.u32(3))
                guard isHeaderName(name), isHeaderValue(value) else { throw .invalid }
                guard !call.isCommitted else { throw .badState }
                call.headers.append((name.lowercased(), value))
                return 0
            },
            HostFunction("resp_write", [.i32, .i32]) { call, memory, args throws(ABIError) in
                try memory.withBytes(args.u32(0), args.u32(1)) { buffer throws(ABIError) in
                    try call.appendBody(UnsafeRawBufferPointer(buffer))
                }
                return Int64(args.u32(1))
            },
            HostFunction("resp_flush", []) { call, _, _ throws(ABIError) in
                call.flush()
                return 0
            },
            HostFunction("log", [.i32, .i32, .i32]) { call, memory, args throws(ABIError) in
                guard let level = GuestLogLevel(rawValue: args.i32(0)) else { throw .invalid }
                let bytes = try memory.readBytes(args.u32(1), args.u32(2))
                call.log(level, String(decoding: bytes, as: UTF8.self))
                return 0
            },
        ]
    }

    /// `(name, name_len, buf, cap)`: looks `name` up and copies the value out. A lookup that
    /// finds nothing still reports a bad output buffer as a fault, so a guest learns about
    /// its bug the first time rather than when the value happens to exist.
    static func copyOutNamed(
        _ memory: Memory, _ args: HostArguments, _ lookup: (String) -> String?
    ) throws(ABIError) -> Int64 {
        let name = try memory.readString(args.u32(0), args.u32(1))
        guard let value = lookup(name) else {
            guard memory.contains(args.u32(2), args.u32(3)) else { throw .fault }
            throw .notFound
        }
        return Int64(try memory.copyOut(value.utf8, to: args.u32(2), capacity: args.u32(3)))
    }

    /// RFC 9110 token characters.
    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }

    /// No CR, LF or NUL: a guest must not be able to split a response.
    static func isHeaderValue(_ value: String) -> Bool {
        !value.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
    }
}
