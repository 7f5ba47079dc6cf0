import SwiftletTestSupport
import Testing

@testable import SwiftletABI

@Suite("swiftlet_v1 host functions")
struct HTTPHostFunctionsTests {
    let functions = Dictionary(
        uniqueKeysWithValues: SwiftletImportModule.functions(TestMemory.self).map { ($0.name, $0) })

    func makeCall(body: String = "hello body", maxResponse: Int = 1024) -> GuestCall {
        GuestCall(
            request: GuestRequest(
                method: "POST", path: "/users/42", query: "a=1",
                headers: [("content-type", "text/plain"), ("x-long", String(repeating: "v", count: 300))],
                parameters: [("id", "42")], body: Array(body.utf8)),
            maxResponseBytes: maxResponse, deadline: nil)
    }

    func call(_ name: String, _ call: GuestCall, _ memory: TestMemory, _ values: [UInt64]) -> Int64 {
        var arguments = HostArguments()
        for (index, value) in values.enumerated() { arguments[index] = value }
        return functions[name]!.invoke(call, memory, arguments)
    }

    @Test func copyOutReturnsTheFullLengthAndWritesOnlyWhenItFits() {
        let memory = TestMemory()
        let request = makeCall()
        #expect(call("req_method", request, memory, [100, 2]) == 4)
        #expect(memory.bytes[100] == 0, "nothing is written when the buffer is too small")
        #expect(call("req_method", request, memory, [100, 4]) == 4)
        #expect(memory.string(at: 100, count: 4) == "POST")
        #expect(call("req_path", request, memory, [200, 64]) == 9)
        #expect(memory.string(at: 200, count: 9) == "/users/42")
    }

    @Test func lookupsByName() {
        let memory = TestMemory()
        let request = makeCall()
        memory.store("Content-Type", at: 0)
        #expect(call("req_header", request, memory, [0, 12, 100, 64]) == 10)
        #expect(memory.string(at: 100, count: 10) == "text/plain")
        memory.store("x-none", at: 0)
        #expect(call("req_header", request, memory, [0, 6, 100, 64]) == Int64(ABIStatus.notFound.rawValue))
        memory.store("id", at: 0)
        #expect(call("req_param", request, memory, [0, 2, 100, 64]) == 2)
        #expect(memory.string(at: 100, count: 2) == "42")
    }

    @Test func everyPointerIsCheckedAgainstMemory() {
        let memory = TestMemory(size: 4096)
        let request = makeCall()
        let outside: UInt64 = 4090
        let cases: [(String, [UInt64])] = [
            ("req_method", [outside, 16]), ("req_path", [outside, 16]), ("req_query", [outside, 16]),
            ("req_header", [outside, 16, 0, 8]), ("req_header", [0, 4, outside, 16]),
            ("req_headers", [outside, 16]), ("req_param", [outside, 16, 0, 8]), ("req_param", [0, 2, outside, 16]),
            ("req_body_read", [outside, 16]), ("resp_header", [outside, 16, 0, 1]), ("resp_header", [0, 1, outside, 16]),
            ("resp_write", [outside, 16]), ("log", [2, outside, 16]),
            // A length that wraps 32-bit arithmetic must not pass the check.
            ("resp_write", [16, 0xFFFF_FFF8]),
        ]
        for (name, values) in cases {
            #expect(call(name, request, memory, values) == Int64(ABIStatus.fault.rawValue), "\(name) \(values)")
        }
        #expect(Set(request.faults) == Set(cases.map(\.0)))
    }

    @Test func bodyIsReadInPieces() {
        let memory = TestMemory()
        let request = makeCall(body: "0123456789")
        #expect(call("req_body_len", request, memory, []) == 10)
        #expect(call("req_body_read", request, memory, [0, 4]) == 4)
        #expect(call("req_body_read", request, memory, [4, 4]) == 4)
        #expect(call("req_body_read", request, memory, [8, 4]) == 2)
        #expect(call("req_body_read", request, memory, [10, 4]) == 0)
        #expect(memory.string(at: 0, count: 10) == "0123456789")
    }

    @Test func responseIsBuiltAndCapped() {
        let memory = TestMemory()
        let request = makeCall(maxResponse: 8)
        memory.store("x-a", at: 0)
        memory.store("one", at: 10)
        #expect(call("resp_status", request, memory, [201]) == 0)
        #expect(call("resp_status", request, memory, [42]) == Int64(ABIStatus.invalid.rawValue))
        #expect(call("resp_header", request, memory, [0, 3, 10, 3]) == 0)
        memory.store("bad\nvalue", at: 20)
        #expect(call("resp_header", request, memory, [0, 3, 20, 9]) == Int64(ABIStatus.invalid.rawValue))
        memory.store("12345", at: 40)
        #expect(call("resp_write", request, memory, [40, 5]) == 5)
        #expect(call("resp_write", request, memory, [40, 5]) == Int64(ABIStatus.tooLarge.rawValue))
        #expect(request.violation == .responseTooLarge(limit: 8))
        #expect(request.status == 201)
        #expect(request.headers.map(\.name) == ["x-a"])
        #expect(request.body == Array("12345".utf8))
    }

    @Test func callsFailAfterTheDeadline() {
        let memory = TestMemory()
        let expired = GuestCall(request: GuestRequest(method: "GET", path: "/"), maxResponseBytes: 10, deadline: 1)
        #expect(call("req_method", expired, memory, [0, 8]) == Int64(ABIStatus.timeout.rawValue))
        var arguments = HostArguments()
        arguments[0] = 0
        #expect(functions["req_method"]!.invoke(nil, memory, arguments) == Int64(ABIStatus.badState.rawValue))
    }
}
