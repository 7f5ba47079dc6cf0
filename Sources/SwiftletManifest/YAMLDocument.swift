import Yams

/// YAML from files Swiftlet reads (manifests, Dapr component files), composed under limits.
///
/// Such files can come from a registry (an app pulled by `swiftlet deploy oci://...` on a
/// serving host), so they are bounded like any peer input: their size, how deep they nest
/// (the composer recurses once per level) and how many nodes they expand to (aliases
/// repeat whole subtrees: a few lines can stand for billions of nodes).
enum YAMLDocument {
    static let maxBytes = 1 << 20
    static let maxDepth = 128
    static let maxNodes = 200_000

    /// The documents in `text`, or a ``ManifestError`` naming `file`.
    static func compose(_ text: String, file: String, multiple: Bool) throws(ManifestError) -> [Node] {
        guard text.utf8.count <= maxBytes else {
            throw ManifestError(file: file, line: 1, column: 1, field: "", message: "the file is larger than 1 MiB")
        }
        if let line = deepLine(text) {
            throw ManifestError(
                file: file, line: line, column: 1, field: "", message: "the YAML nests more than \(maxDepth) levels deep")
        }
        let documents: [Node]
        do {
            if multiple {
                documents = try Yams.compose_all(yaml: text).map { $0 }
            } else {
                documents = try Yams.compose(yaml: text).map { [$0] } ?? []
            }
        } catch let error as YamlError {
            throw ManifestParser.syntaxError(error, file: file)
        } catch {
            throw ManifestError(file: file, line: 1, column: 1, field: "", message: "invalid YAML: \(error)")
        }
        var budget = maxNodes
        for document in documents where !count(document, budget: &budget) {
            throw ManifestError(
                file: file, line: 1, column: 1, field: "",
                message: "the YAML expands to more than \(maxNodes) nodes (aliases repeating large subtrees?)")
        }
        return documents
    }

    /// The first line whose nesting (indentation, `- ` items, open brackets) could exceed
    /// ``maxDepth``: a conservative count made before composing, since the composer itself
    /// would exhaust the stack on such input.
    static func deepLine(_ text: String) -> Int? {
        var brackets = 0
        var line = 1
        var quote: UInt8?
        var atLineStart = true
        var indentation = 0
        var items = 0
        var comment = false
        var previous: UInt8 = UInt8(ascii: "\n")
        for byte in text.utf8 {
            defer { previous = byte }
            if byte == UInt8(ascii: "\n") {
                line += 1
                atLineStart = true
                indentation = 0
                items = 0
                comment = false
                if quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") { continue }
                continue
            }
            if comment { continue }
            if let open = quote {
                if byte == open { quote = nil }
                continue
            }
            switch byte {
            case UInt8(ascii: " "):
                if atLineStart { indentation += 1 }
            case UInt8(ascii: "-") where atLineStart || previous == UInt8(ascii: " "):
                items += 1
            case UInt8(ascii: "#") where previous == UInt8(ascii: " ") || previous == UInt8(ascii: "\n") || previous == UInt8(ascii: "\t"):
                comment = true
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                quote = byte
                atLineStart = false
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                brackets += 1
                atLineStart = false
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                brackets = max(0, brackets - 1)
                atLineStart = false
            default:
                atLineStart = false
            }
            if brackets + items + indentation / 2 > maxDepth { return line }
        }
        return nil
    }

    /// Counts nodes without recursion, spending `budget`; `false` once it runs out.
    static func count(_ root: Node, budget: inout Int) -> Bool {
        var pending = [root]
        while let node = pending.popLast() {
            budget -= 1
            if budget < 0 { return false }
            switch node {
            case .mapping(let mapping):
                for (key, value) in mapping {
                    pending.append(key)
                    pending.append(value)
                }
            case .sequence(let sequence):
                pending.append(contentsOf: sequence)
            case .scalar, .alias:
                break
            }
        }
        return true
    }
}
