import NIOCore
import Testing

@testable import SwiftletNATS

/// The NATS decoder refuses sizes a hostile server could send.
@Suite struct NATSDecoderTests {
    static func parse(_ text: String) throws -> NATSEvent? {
        var buffer = ByteBuffer(string: text)
        return try NATSDecoder.parse(&buffer)
    }

    @Test func wellFormedEventsParse() throws {
        guard case .ping? = try Self.parse("PING\r\n") else { Issue.record("PING"); return }
        guard case .message(let sid, let message)? = try Self.parse("MSG orders 7 5\r\nhello\r\n") else {
            Issue.record("MSG")
            return
        }
        #expect(sid == 7)
        #expect(message.payload == Array("hello".utf8))
        guard case .message(_, let withHeaders)? = try Self.parse("HMSG a 1 12 14\r\nNATS/1.0\r\n\r\nhi\r\n") else {
            Issue.record("HMSG")
            return
        }
        #expect(withHeaders.headers == "NATS/1.0\r\n\r\n")
        #expect(withHeaders.payload == Array("hi".utf8))
        #expect(try Self.parse("MSG orders 7 5\r\nhel") == nil, "incomplete: wait for more")
    }

    @Test(arguments: [
        "MSG a 1 9223372036854775807\r\n",
        "MSG a 1 -5\r\n",
        "MSG a 1 67108865\r\n",  // past the 64 MiB cap
        "HMSG a 1 10 5\r\n",  // headers larger than the whole
        "HMSG a 1 -1 5\r\n",
        "MSG a x 5\r\nhello\r\n",
        "MSG a 1 5\r\nhelloXY",  // no CRLF after the payload
        "BOGUS\r\n",
    ])
    func hostileEventsAreRefused(event: String) {
        #expect(throws: NATSDecoder.ProtocolError.self) { try Self.parse(event) }
    }

    @Test func controlLinesAreBoundedAndBlankLinesDoNotRecurse() throws {
        #expect(throws: NATSDecoder.ProtocolError.self) { try Self.parse("INFO " + String(repeating: "x", count: 5000)) }
        // A flood of blank lines is skipped without one stack frame per line.
        guard case .ping? = try Self.parse(String(repeating: "\r\n", count: 200_000) + "PING\r\n") else {
            Issue.record("PING after blank lines")
            return
        }
    }
}
