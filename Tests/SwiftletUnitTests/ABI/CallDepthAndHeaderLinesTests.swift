import SwiftletBlocks
import Testing

@testable import SwiftletABI

/// The invocation depth limit and the ABI's header lines, on their own.
@Suite("Call depth and header lines")
struct CallDepthAndHeaderLinesTests {
    func request(header: String?, local: Int = 0) -> GuestRequest {
        var request = GuestRequest(method: "GET", path: "/x")
        if let header { request.headers.append((CallDepth.header, header)) }
        request.origin.callDepth = local
        return request
    }

    @Test func aPeersHopCountIsReadAndLimited() throws {
        #expect(try CallDepth.of(request(header: nil, local: 3)) == 3)
        #expect(try CallDepth.of(request(header: "5")) == 5)
        #expect(try CallDepth.of(request(header: "8")) == 8)
        #expect(throws: BuildingBlockError.self) { try CallDepth.of(request(header: "9")) }
        #expect(throws: BuildingBlockError.self) { try CallDepth.of(request(header: nil, local: 9)) }
    }

    @Test func aNegativeOrMalformedCountIsRefusedNotReset() throws {
        for bad in ["-1", "-100", "two", "", "9223372036854775808"] {
            #expect(throws: BuildingBlockError.self, "'\(bad)'") { try CallDepth.of(request(header: bad)) }
        }
        // A lower count from a client cannot undo the hops already made locally.
        #expect(try CallDepth.of(request(header: "0", local: 6)) == 6)
    }

    @Test func headerLinesAreNameValuePairsAndNothingElse() throws {
        let parsed = try HeaderLines.parse("Content-Type: text/plain\nX-A:  spaced  \r\n")
        #expect(parsed.map(\.name) == ["content-type", "x-a"])
        #expect(parsed.map(\.value) == ["text/plain", "spaced"])
        #expect(try HeaderLines.parse("rawPayload: true\n", lowercasingNames: false).first?.name == "rawPayload")
        #expect(try HeaderLines.parse("").isEmpty)
        for bad in ["no colon here", ": no name", "bad name: x", "x: a\u{0}b", "x\u{7F}y: z"] {
            #expect(throws: ABIError.self, "\(bad.debugDescription)") { try HeaderLines.parse(bad) }
        }
    }
}
