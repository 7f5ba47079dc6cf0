/// Tokens and a recursive-descent parser for ``RouteMatch`` expressions. Precedence, loosest
/// first: `||`, `&&`, `!`, comparisons, then paths, literals, calls and parentheses.
enum MatchToken: Equatable {
    case identifier(String)
    case string(String)
    case number(Double)
    case symbol(String)
}

enum MatchLexer {
    static let symbols = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", ".", "[", "]", ","]

    static func tokens(_ text: String) throws(BuildingBlockError) -> [MatchToken] {
        var tokens: [MatchToken] = []
        let characters = Array(text)
        var index = 0
        func fail(_ message: String) -> BuildingBlockError {
            BuildingBlockError(.invalidArgument, "match '\(text)': \(message)")
        }
        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace {
                index += 1
            } else if character == "\"" || character == "'" {
                var value = ""
                index += 1
                while true {
                    guard index < characters.count else { throw fail("unterminated string") }
                    let next = characters[index]
                    index += 1
                    if next == character { break }
                    if next == "\\" {
                        guard index < characters.count else { throw fail("unterminated string") }
                        let escaped = characters[index]
                        index += 1
                        switch escaped {
                        case "n": value.append("\n")
                        case "t": value.append("\t")
                        default: value.append(escaped)
                        }
                    } else {
                        value.append(next)
                    }
                }
                tokens.append(.string(value))
            } else if character.isNumber || (character == "-" && index + 1 < characters.count && characters[index + 1].isNumber) {
                var end = index + 1
                while end < characters.count, characters[end].isNumber || characters[end] == "." { end += 1 }
                let literal = String(characters[index..<end])
                guard let value = Double(literal) else { throw fail("'\(literal)' is not a number") }
                tokens.append(.number(value))
                index = end
            } else if character.isLetter || character == "_" {
                var end = index + 1
                while end < characters.count, characters[end].isLetter || characters[end].isNumber || characters[end] == "_" { end += 1 }
                tokens.append(.identifier(String(characters[index..<end])))
                index = end
            } else if let symbol = symbols.first(where: { symbol in
                index + symbol.count <= characters.count && String(characters[index..<index + symbol.count]) == symbol
            }) {
                tokens.append(.symbol(symbol))
                index += symbol.count
            } else {
                throw fail("unexpected '\(character)'")
            }
        }
        return tokens
    }
}

struct MatchParser {
    let tokens: [MatchToken]
    let text: String
    var position = 0

    init(tokens: [MatchToken], text: String) {
        self.tokens = tokens
        self.text = text
    }

    var atEnd: Bool { position == tokens.count }

    var peekDescription: String {
        guard position < tokens.count else { return "end of expression" }
        switch tokens[position] {
        case .identifier(let name): return "'\(name)'"
        case .string(let value): return "string \"\(value)\""
        case .number(let value): return "number \(value)"
        case .symbol(let symbol): return "'\(symbol)'"
        }
    }

    func failure(_ message: String) -> BuildingBlockError {
        BuildingBlockError(.invalidArgument, "match '\(text)': \(message)")
    }

    mutating func take(_ symbol: String) -> Bool {
        guard position < tokens.count, tokens[position] == .symbol(symbol) else { return false }
        position += 1
        return true
    }

    mutating func expect(_ symbol: String) throws(BuildingBlockError) {
        guard take(symbol) else { throw failure("expected '\(symbol)' but found \(peekDescription)") }
    }

    mutating func expression() throws(BuildingBlockError) -> MatchNode {
        var node = try conjunction()
        while take("||") { node = .or(node, try conjunction()) }
        return node
    }

    mutating func conjunction() throws(BuildingBlockError) -> MatchNode {
        var node = try negation()
        while take("&&") { node = .and(node, try negation()) }
        return node
    }

    mutating func negation() throws(BuildingBlockError) -> MatchNode {
        if take("!") { return .not(try negation()) }
        return try comparison()
    }

    mutating func comparison() throws(BuildingBlockError) -> MatchNode {
        let left = try operand()
        for op in ["==", "!=", "<=", ">=", "<", ">"] where take(op) {
            return .compare(left, op, try operand())
        }
        return left
    }

    mutating func operand() throws(BuildingBlockError) -> MatchNode {
        guard position < tokens.count else { throw failure("the expression ends too early") }
        let token = tokens[position]
        position += 1
        switch token {
        case .string(let value): return .literal(.string(value))
        case .number(let value): return .literal(.number(value))
        case .symbol("("):
            let inner = try expression()
            try expect(")")
            return inner
        case .identifier("true"): return .literal(.bool(true))
        case .identifier("false"): return .literal(.bool(false))
        case .identifier("null"): return .literal(.null)
        case .identifier("has"):
            try expect("(")
            guard case .path(let fields) = try path() else { throw failure("has() takes a field of event") }
            try expect(")")
            return .has(fields)
        case .identifier("event"):
            position -= 1
            return try path()
        default:
            position -= 1
            throw failure("unexpected \(peekDescription) (expressions start from event, a literal, has() or '(')")
        }
    }

    /// `event` then `.field`, `["field"]`, and a trailing string method call.
    mutating func path() throws(BuildingBlockError) -> MatchNode {
        guard position < tokens.count, tokens[position] == .identifier("event") else {
            throw failure("expected 'event' but found \(peekDescription)")
        }
        position += 1
        var fields: [String] = []
        while true {
            if take(".") {
                guard position < tokens.count, case .identifier(let name) = tokens[position] else {
                    throw failure("expected a field name after '.'")
                }
                position += 1
                if take("(") {
                    guard ["startsWith", "endsWith", "contains"].contains(name) else {
                        throw failure("unsupported function '\(name)' (startsWith, endsWith and contains are)")
                    }
                    let argument = try expression()
                    try expect(")")
                    return .method(.path(fields), name, argument)
                }
                fields.append(name)
            } else if take("[") {
                guard position < tokens.count, case .string(let name) = tokens[position] else {
                    throw failure("expected a quoted field name inside [ ]")
                }
                position += 1
                try expect("]")
                fields.append(name)
            } else {
                return .path(fields)
            }
        }
    }
}
