import Foundation
import SwiftletBlocks
import Testing

/// Routing rules' CEL subset against CloudEvents as Dapr writes them, and the rule order a
/// subscription applies.
@Suite struct RouteMatchTests {
    let event: [String: Any] = [
        "id": "1", "type": "order.created", "source": "checkout", "topic": "orders", "specversion": "1.0",
        "data": ["total": 120, "region": "eu", "rush": true, "items": [1, 2], "note": NSNull()],
    ]

    func matches(_ expression: String) throws -> Bool {
        try RouteMatch(expression).matches(event: event)
    }

    @Test func comparesAttributesAndData() throws {
        #expect(try matches(#"event.type == "order.created""#))
        #expect(try !matches(#"event.type == "order.cancelled""#))
        #expect(try matches(#"event.type != 'order.cancelled'"#), "single quotes are strings too")
        #expect(try matches("event.data.total > 100 && event.data.total <= 120"))
        #expect(try !matches("event.data.total < 100"))
        #expect(try matches(#"event.data["region"] == "eu""#))
        #expect(try matches("event.data.rush == true"))
        #expect(try !matches("event.data.rush == 1"), "a bool is not a number")
        #expect(try matches("event.data.note == null"))
        #expect(try matches(#"event.source >= "a""#), "strings order lexically")
    }

    @Test func combinesWithPrecedenceAndParentheses() throws {
        #expect(try matches(#"event.type == "x" || event.data.region == "eu" && event.data.rush"#), "&& binds tighter than ||")
        #expect(try !matches(#"(event.type == "x" || event.data.region == "eu") && !event.data.rush"#))
        #expect(try matches(#"!(event.type == "x")"#))
        #expect(try matches(#"event.type.startsWith("order.") && event.type.endsWith("created")"#))
        #expect(try matches(#"event.source.contains("heck")"#))
        #expect(try matches("has(event.data.total) && !has(event.data.missing)"))
        #expect(try matches(""), "an empty match is the default rule")
    }

    @Test func absentFieldsAreErrorsThatMatchNothingButDoNotHideADecidedResult() throws {
        #expect(try !matches("event.data.missing == 1"))
        #expect(try !matches("!(event.data.missing == 1)"), "negating an error is still an error")
        #expect(try !matches("event.data.missing == 1 && true"))
        #expect(try matches("event.data.missing == 1 || true"), "true || error is true, as in CEL")
        #expect(try !matches("event.data.missing == 1 && false"))
        #expect(try !matches("event.data.items == 1"), "a list compares to nothing")
        #expect(try !matches(#"event.data.total == "120""#), "different types are an error")
    }

    @Test func badExpressionsAreRefusedWithTheReason() {
        for (expression, reason) in [
            ("event.type ==", "ends too early"), (#"event.type == "x"#, "unterminated string"),
            ("type == 1", "unexpected 'type'"), ("event.type == 1 )", "unexpected ')'"),
            (#"event.type.matches("x")"#, "unsupported function 'matches'"), ("event.type # 1", "unexpected '#'"),
            ("(event.type == 1", "expected ')'"),
        ] {
            #expect(throws: BuildingBlockError.self) { try RouteMatch(expression) }
            do {
                _ = try RouteMatch(expression)
            } catch {
                #expect(error.message.contains(reason), "\(expression): \(error.message)")
                #expect(error.message.contains(expression), "the error quotes the expression")
            }
        }
    }

    @Test func firstMatchingRuleWinsThenTheDefaultThenNothing() throws {
        let routes = TopicRoutes(
            rules: [
                .init(match: try RouteMatch(#"event.type == "widget""#), path: "widgets"),
                .init(match: try RouteMatch("event.data.n > 1"), path: "/big"),
                .init(match: try RouteMatch("event.data.n > 0"), path: "/positive"),
            ], defaultPath: "/other")
        func path(_ type: String, _ n: Int) -> String? {
            let body = try! JSONSerialization.data(withJSONObject: ["type": type, "data": ["n": n]])
            return routes.path(for: Array(body))
        }
        #expect(path("widget", 5) == "/widgets", "paths are made absolute")
        #expect(path("gadget", 5) == "/big")
        #expect(path("gadget", 1) == "/positive")
        #expect(path("gadget", 0) == "/other")
        #expect(routes.path(for: Array("not json".utf8)) == "/other", "an undecodable event takes the default")
        let noDefault = TopicRoutes(rules: routes.rules, defaultPath: nil)
        #expect(noDefault.path(for: Array(#"{"type":"gadget","data":{"n":0}}"#.utf8)) == nil, "no match and no default: dropped")
        #expect(routes.listed.map(\.path) == ["/widgets", "/big", "/positive", "/other"])
        #expect(routes.listed.last?.match == "")
    }
}
