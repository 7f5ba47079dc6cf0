import Foundation

/// A subscription rule's `match`: the subset of CEL that Dapr documents for routing events,
/// evaluated against the CloudEvent as `event`.
///
/// Supported: `event.a.b` and `event["a"]` paths, string/number/bool/null literals, `==`,
/// `!=`, `<`, `<=`, `>`, `>=`, `&&`, `||`, `!`, parentheses, `has(event.a)`, and the string
/// methods `startsWith`, `endsWith`, `contains`. As in CEL, a path that is absent (or a
/// comparison of different types) is an error rather than `false`: an error only matches
/// nothing, and `false && error` / `true || error` still decide, so rule order stays what the
/// author wrote. The expression is parsed once, when the subscription is read.
public struct RouteMatch: Sendable, Equatable {
    public let text: String
    let root: MatchNode

    /// Parses `text`; an empty expression matches every event, as Dapr's default rule does.
    public init(_ text: String) throws(BuildingBlockError) {
        self.text = text
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty {
            root = .literal(.bool(true))
            return
        }
        var parser = MatchParser(tokens: try MatchLexer.tokens(trimmed), text: text)
        root = try parser.expression()
        guard parser.atEnd else { throw parser.failure("unexpected \(parser.peekDescription)") }
    }

    /// Whether the event (a decoded CloudEvent JSON object) satisfies the expression.
    public func matches(event: Any) -> Bool {
        if case .bool(true) = root.evaluate(event) { return true }
        return false
    }
}

/// A value during evaluation; `error` is CEL's no-such-field or type error.
enum MatchValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    /// An object or list: present (for `has`), comparable to nothing.
    case composite
    case error

    init(json: Any?) {
        switch json {
        case nil: self = .error
        case is NSNull: self = .null
        case let number as NSNumber:
            // JSONSerialization gives booleans as NSNumber too; only they have objCType "c".
            self = number.objCType.pointee == CChar(bitPattern: UInt8(ascii: "c")) ? .bool(number.boolValue) : .number(number.doubleValue)
        case let string as String: self = .string(string)
        case is [String: Any], is [Any]: self = .composite
        default: self = .error
        }
    }
}

indirect enum MatchNode: Sendable, Equatable {
    case literal(MatchValue)
    /// `event` followed by field names.
    case path([String])
    case has([String])
    case not(MatchNode)
    case and(MatchNode, MatchNode)
    case or(MatchNode, MatchNode)
    case compare(MatchNode, String, MatchNode)
    case method(MatchNode, String, MatchNode)

    func evaluate(_ event: Any) -> MatchValue {
        switch self {
        case .literal(let value): return value
        case .path(let fields): return MatchValue(json: Self.lookup(fields, in: event))
        case .has(let fields): return .bool(Self.lookup(fields, in: event) != nil)
        case .not(let inner):
            if case .bool(let value) = inner.evaluate(event) { return .bool(!value) }
            return .error
        case .and(let left, let right):
            let (l, r) = (left.evaluate(event), right.evaluate(event))
            if l == .bool(false) || r == .bool(false) { return .bool(false) }
            if l == .bool(true) && r == .bool(true) { return .bool(true) }
            return .error
        case .or(let left, let right):
            let (l, r) = (left.evaluate(event), right.evaluate(event))
            if l == .bool(true) || r == .bool(true) { return .bool(true) }
            if l == .bool(false) && r == .bool(false) { return .bool(false) }
            return .error
        case .compare(let left, let op, let right):
            return Self.compare(left.evaluate(event), op, right.evaluate(event))
        case .method(let target, let name, let argument):
            guard case .string(let string) = target.evaluate(event), case .string(let part) = argument.evaluate(event) else {
                return .error
            }
            switch name {
            case "startsWith": return .bool(string.hasPrefix(part))
            case "endsWith": return .bool(string.hasSuffix(part))
            default: return .bool(string.contains(part))
            }
        }
    }

    static func lookup(_ fields: [String], in event: Any) -> Any? {
        var current: Any = event
        for field in fields {
            guard let object = current as? [String: Any], let next = object[field] else { return nil }
            current = next
        }
        return current
    }

    static func compare(_ left: MatchValue, _ op: String, _ right: MatchValue) -> MatchValue {
        if left == .error || right == .error || left == .composite || right == .composite { return .error }
        switch op {
        case "==": return sameType(left, right) ? .bool(left == right) : .error
        case "!=": return sameType(left, right) ? .bool(left != right) : .error
        default: break
        }
        let order: Int
        switch (left, right) {
        case (.number(let a), .number(let b)): order = a < b ? -1 : (a == b ? 0 : 1)
        case (.string(let a), .string(let b)): order = a < b ? -1 : (a == b ? 0 : 1)
        default: return .error
        }
        switch op {
        case "<": return .bool(order < 0)
        case "<=": return .bool(order <= 0)
        case ">": return .bool(order > 0)
        default: return .bool(order >= 0)
        }
    }

    static func sameType(_ left: MatchValue, _ right: MatchValue) -> Bool {
        switch (left, right) {
        case (.string, .string), (.number, .number), (.bool, .bool), (.null, .null): true
        default: false
        }
    }
}
