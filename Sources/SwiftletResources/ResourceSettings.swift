import SwiftletBlocks
import SwiftletManifest

/// A component's metadata with secret references resolved, read with typed accessors whose
/// errors point at the component file and field.
public struct ResourceSettings: Sendable {
    public let spec: ResourceSpec
    let values: [String: String]

    public init(spec: ResourceSpec, values: [String: String]) {
        self.spec = spec
        self.values = values
    }

    public var name: String { spec.name }
    public var type: String { spec.type }

    public func string(_ name: String) -> String? {
        values.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public func require(_ name: String) throws(ManifestError) -> String {
        guard let value = string(name), !value.isEmpty else {
            throw spec.error(field: name, "\(spec.type) requires metadata '\(name)'")
        }
        return value
    }

    public func int(_ name: String, default defaultValue: Int, in range: ClosedRange<Int> = Int.min...Int.max)
        throws(ManifestError) -> Int
    {
        guard let text = string(name), !text.isEmpty else { return defaultValue }
        guard let value = Int(text) else { throw spec.error(field: name, "'\(text)' is not a whole number") }
        guard range.contains(value) else {
            throw spec.error(field: name, "\(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    public func bool(_ name: String, default defaultValue: Bool) throws(ManifestError) -> Bool {
        guard let text = string(name)?.lowercased(), !text.isEmpty else { return defaultValue }
        switch text {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw spec.error(field: name, "'\(text)' is not true or false")
        }
    }

    /// Seconds from Go-style durations (`30s`, `500ms`, `1m`, `1h`) or a bare number of seconds,
    /// at most a day (every timer and deadline built from it stays far from overflow).
    public func seconds(_ name: String, default defaultValue: Double) throws(ManifestError) -> Double {
        guard let text = string(name), !text.isEmpty else { return defaultValue }
        guard let value = Self.duration(text) else {
            throw spec.error(field: name, "'\(text)' is not a duration such as 500ms, 30s or 1m")
        }
        guard value <= Self.maxSeconds else { throw spec.error(field: name, "'\(text)' is longer than 24h") }
        return value
    }

    public static let maxSeconds: Double = 86_400

    /// Seconds in a Go-style duration string; `nil` unless finite and not negative.
    public static func duration(_ text: String) -> Double? {
        guard let total = parseDuration(text), total.isFinite, total >= 0 else { return nil }
        return total
    }

    private static func parseDuration(_ text: String) -> Double? {
        if let number = Double(text) { return number }
        var total = 0.0
        var rest = Substring(text)
        let units: [(String, Double)] = [("ms", 0.001), ("us", 0.000_001), ("ns", 1e-9), ("h", 3600), ("m", 60), ("s", 1)]
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard let number = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let (unit, scale) = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            total += number * scale
            rest = rest.dropFirst(unit.count)
        }
        return total
    }

    /// `host:port` from metadata `name`, with a default port.
    public func hostAndPort(_ name: String, defaultPort: Int) throws(ManifestError) -> (host: String, port: Int) {
        let text = try require(name)
        let parts = text.split(separator: ":")
        guard let host = parts.first, !host.isEmpty, parts.count <= 2 else {
            throw spec.error(field: name, "expected host:port, got '\(text)'")
        }
        if parts.count == 2 {
            guard let port = Int(parts[1]), (1...65535).contains(port) else {
                throw spec.error(field: name, "invalid port in '\(text)'")
            }
            return (String(host), port)
        }
        return (String(host), defaultPort)
    }
}
