import Foundation
import Yams

/// A YAML node with the path that led to it, so every conversion error names its place.
struct YAMLField {
    let node: Node
    let path: String
    let file: String

    func child(_ node: Node, _ key: String) -> YAMLField {
        YAMLField(node: node, path: path.isEmpty ? key : "\(path).\(key)", file: file)
    }

    func error(_ message: String) -> ManifestError {
        let mark = node.mark
        return ManifestError(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, field: path, message: message)
    }

    /// The entries of a mapping, in document order. Keys outside `allowed` are errors,
    /// with a suggestion when one is close.
    func mapping(allowed: [String]) throws(ManifestError) -> [(key: String, value: YAMLField)] {
        guard case .mapping(let mapping) = node else {
            throw error("expected a mapping with keys \(allowed.joined(separator: ", "))")
        }
        var entries: [(String, YAMLField)] = []
        var seen = Set<String>()
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.string else {
                throw YAMLField(node: keyNode, path: path, file: file).error("keys must be strings")
            }
            let field = child(valueNode, key)
            guard allowed.contains(key) else {
                let keyField = YAMLField(node: keyNode, path: field.path, file: file)
                let hint = Self.closest(to: key, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                throw keyField.error("unknown field\(hint); allowed here: \(allowed.joined(separator: ", "))")
            }
            guard seen.insert(key).inserted else {
                throw YAMLField(node: keyNode, path: field.path, file: file).error("duplicate field")
            }
            entries.append((key, field))
        }
        return entries
    }

    /// A mapping whose keys are names chosen by the user (component ids, variables).
    func namedEntries() throws(ManifestError) -> [(key: String, keyField: YAMLField, value: YAMLField)] {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping") }
        var entries: [(String, YAMLField, YAMLField)] = []
        var seen = Set<String>()
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.string else {
                throw YAMLField(node: keyNode, path: path, file: file).error("keys must be strings")
            }
            let value = child(valueNode, key)
            let keyField = YAMLField(node: keyNode, path: value.path, file: file)
            guard seen.insert(key).inserted else { throw keyField.error("duplicate key '\(key)'") }
            entries.append((key, keyField, value))
        }
        return entries
    }

    func sequence() throws(ManifestError) -> [YAMLField] {
        guard case .sequence(let sequence) = node else { throw error("expected a list") }
        return sequence.enumerated().map { YAMLField(node: $1, path: "\(path)[\($0)]", file: file) }
    }

    var isScalar: Bool {
        if case .scalar = node { return true }
        return false
    }

    func string() throws(ManifestError) -> String {
        guard case .scalar(let scalar) = node else { throw error("expected a string") }
        return scalar.string
    }

    func nonEmptyString() throws(ManifestError) -> String {
        let value = try string()
        guard !value.isEmpty else { throw error("must not be empty") }
        return value
    }

    func int(min: Int = 0, max: Int = Int.max) throws(ManifestError) -> Int {
        guard let value = node.int, value >= min else { throw error("expected a whole number >= \(min)") }
        guard value <= max else { throw error("at most \(max) is allowed") }
        return value
    }

    func bool() throws(ManifestError) -> Bool {
        guard let value = node.bool else { throw error("expected true or false") }
        return value
    }

    func stringList() throws(ManifestError) -> [String] {
        var values: [String] = []
        for item in try sequence() { values.append(try item.string()) }
        return values
    }

    /// A size in bytes: a number, or a number with a unit (`64Mi`, `16MiB`, `1G`, `512k`).
    func byteSize() throws(ManifestError) -> Int {
        if let value = node.int, value >= 0 { return value }
        guard let text = node.string, let bytes = Units.bytes(text) else {
            throw error("expected a size in bytes such as 1048576, 64Mi or 512KB")
        }
        return bytes
    }

    /// A duration in milliseconds: a number of milliseconds or `250ms`, `5s`, `1m`, `2h`;
    /// at most a day.
    func milliseconds() throws(ManifestError) -> Int {
        let value: Int
        if let number = node.int, number > 0 {
            value = number
        } else {
            guard let text = node.string, let parsed = Units.milliseconds(text), parsed > 0 else {
                throw error("expected a duration such as 500ms, 5s or 1m")
            }
            value = parsed
        }
        guard value <= Units.maxMilliseconds else { throw error("a duration of at most 24h is allowed") }
        return value
    }

    /// A size in bytes no larger than `max` (named as `maxText` in the error).
    func byteSize(max: Int, _ maxText: String) throws(ManifestError) -> Int {
        let bytes = try byteSize()
        guard bytes <= max else { throw error("at most \(maxText) is allowed") }
        return bytes
    }

    /// The allowed key within edit distance 2 of `key`, if any.
    static func closest(to key: String, in allowed: [String]) -> String? {
        allowed.map { ($0, editDistance(key, $0)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
