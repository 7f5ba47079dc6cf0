import NIOCore
import Testing

@testable import SwiftletRedis

/// The RESP decoder refuses sizes and shapes a hostile or broken Redis could send, and a
/// client connected to one gets an error, never a crash.
@Suite struct RESPDecoderTests {
    static func parse(_ text: String) throws -> RESPValue? {
        var buffer = ByteBuffer(string: text)
        return try RESPDecoder.parse(&buffer)
    }

    @Test func wellFormedRepliesParse() throws {
        #expect(try Self.parse("+OK\r\n") == .simpleString("OK"))
        #expect(try Self.parse(":-42\r\n") == .integer(-42))
        #expect(try Self.parse("$3\r\nabc\r\n") == .bulk(Array("abc".utf8)))
        #expect(try Self.parse("$-1\r\n") == .bulk(nil))
        #expect(try Self.parse("*2\r\n$1\r\na\r\n:1\r\n") == .array([.bulk([UInt8(ascii: "a")]), .integer(1)]))
        #expect(try Self.parse("$3\r\nab") == nil, "incomplete: wait for more")
    }

    @Test(arguments: [
        "$9223372036854775807\r\n",  // length + 2 would overflow
        "$536870913\r\n",  // past Redis's own 512 MB
        "$-2\r\n",
        "*9223372036854775807\r\n",
        "*-5\r\n",
        "*16777217\r\n",
        ":99999999999999999999999\r\n",
        "?what\r\n",
        "+no carriage return\n",
        "$3\r\nabcXY",  // no CRLF after the bulk
    ])
    func hostileRepliesAreRefused(reply: String) throws {
        #expect(throws: RESPDecoder.ProtocolError.self) { try Self.parse(reply) }
    }

    @Test func nestingAndLineLengthAreBounded() throws {
        #expect(throws: RESPDecoder.ProtocolError.self) { try Self.parse(String(repeating: "*1\r\n", count: 100) + ":1\r\n") }
        #expect(throws: RESPDecoder.ProtocolError.self) { try Self.parse("+" + String(repeating: "x", count: 70_000)) }
        #expect(try Self.parse(String(repeating: "*1\r\n", count: 10) + ":1\r\n") != nil)
    }

    @Test(arguments: ["$9223372036854775807\r\n", "*99999999999\r\n", String(repeating: "*1\r\n", count: 1000)])
    func aClientOfAHostileServerGetsAnError(reply: String) async throws {
        let peer = try await ScriptedPeer(reply: Array(reply.utf8))
        defer { Task { await peer.close() } }
        let client = RedisClient(configuration: .init(host: "127.0.0.1", port: peer.port, commandTimeout: .seconds(5)))
        await #expect(throws: (any Error).self) { try await client.send(["GET", "key"]) }
        await client.close()
    }
}
