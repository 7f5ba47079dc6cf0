import Foundation
import Yams

/// One tool an agent may call over MCP (`tools:` in swiftlet.yaml): a component run with
/// the tool's own limits and grants, or the built-in Python sandbox.
public struct ToolManifest: Sendable {
    public enum Target: Sendable, Equatable {
        /// A component of the app; the call is a POST of the arguments (JSON) to ``path``.
        case component(String)
        /// The built-in sandbox: `code` (and optional `stdin`) run by CPython for WASI.
        case python
    }

    public static let builtins = ["python"]

    public var name: String
    public var description: String
    public var target: Target
    /// The JSON Schema of the arguments, as JSON text.
    public var inputSchemaJSON: String
    /// The request path the component sees (default `/<name>`).
    public var path: String
    /// Overrides of the component's limits: memory, fuel, timeout.
    public var limits: LimitsManifest
    /// Replaces the component's `allowed_outbound_hosts` when given.
    public var allowedOutboundHosts: [String]?
    public var location: ManifestLocation
}

extension Reader {
    static let toolKeys = ["description", "component", "builtin", "input_schema", "path", "limits", "allowed_outbound_hosts"]
    static let toolLimitKeys = ["memory", "fuel", "timeout"]

    func tools(_ field: YAMLField, components: [ComponentManifest]) throws(ManifestError) -> [ToolManifest] {
        var result: [ToolManifest] = []
        for (name, keyField, value) in try field.namedEntries() {
            // MCP tool names: letters, digits, '_', '-' and '.', at most 128 characters.
            guard !name.isEmpty, name.count <= 128, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) })
            else {
                throw keyField.error("tool names use ASCII letters, digits, '_', '-' and '.' (at most 128)")
            }
            result.append(try tool(name: name, value, components: components))
        }
        return result
    }

    func tool(name: String, _ field: YAMLField, components: [ComponentManifest]) throws(ManifestError) -> ToolManifest {
        var tool = ToolManifest(
            name: name, description: "", target: .python, inputSchemaJSON: "", path: "/" + name, limits: LimitsManifest(),
            allowedOutboundHosts: nil, location: location(field))
        var target: ToolManifest.Target?
        for (key, value) in try field.mapping(allowed: Self.toolKeys) {
            switch key {
            case "description": tool.description = try value.string()
            case "component":
                guard target == nil else { throw value.error("give either 'component' or 'builtin', not both") }
                target = .component(try componentReference(value, components: components))
            case "builtin":
                guard target == nil else { throw value.error("give either 'component' or 'builtin', not both") }
                let builtin = try value.string()
                guard Self.builtinTools.contains(builtin) else {
                    throw value.error("'\(builtin)' is not a built-in tool (built-in: \(ToolManifest.builtins.joined(separator: ", ")))")
                }
                target = .python
            case "input_schema":
                guard case .mapping = value.node else { throw value.error("expected a JSON Schema object (a mapping)") }
                tool.inputSchemaJSON = try Self.json(value)
            case "path":
                let path = try value.nonEmptyString()
                guard path.hasPrefix("/") else { throw value.error("a path starts with '/'") }
                tool.path = path
            case "limits":
                for (limit, _) in try value.mapping(allowed: Self.toolLimitKeys) { _ = limit }
                tool.limits = try limits(value)
            case "allowed_outbound_hosts": tool.allowedOutboundHosts = try outboundHosts(value)
            default: break
            }
        }
        guard let target else { throw field.error("a tool needs 'component' (one of the app's) or 'builtin: python'") }
        tool.target = target
        if tool.inputSchemaJSON.isEmpty {
            tool.inputSchemaJSON = target == .python ? PythonToolSchema.json : "{\"type\":\"object\"}"
        }
        return tool
    }

    static let builtinTools: Set<String> = Set(ToolManifest.builtins)

    /// A YAML value as JSON text: mappings, lists, and scalars typed as YAML 1.2 core types
    /// (quoted scalars stay strings).
    static func json(_ field: YAMLField) throws(ManifestError) -> String {
        do {
            let data = try JSONSerialization.data(withJSONObject: jsonValue(field.node), options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
        } catch {
            throw field.error("cannot be written as JSON: \(error)")
        }
    }

    static func jsonValue(_ node: Node) -> Any {
        switch node {
        case .mapping(let mapping):
            var object: [String: Any] = [:]
            for (key, value) in mapping { object[key.string ?? "\(key)"] = jsonValue(value) }
            return object
        case .sequence(let sequence):
            return sequence.map(jsonValue)
        case .scalar(let scalar):
            if scalar.style == .singleQuoted || scalar.style == .doubleQuoted { return scalar.string }
            switch scalar.string {
            case "true": return true
            case "false": return false
            case "null", "~": return NSNull()
            default: break
            }
            if let integer = Int(scalar.string) { return integer }
            if let number = Double(scalar.string), scalar.string.contains(where: { $0.isNumber }) { return number }
            return scalar.string
        default:
            return NSNull()
        }
    }
}

/// The input of the built-in `python` tool.
public enum PythonToolSchema {
    public static let json = """
        {"type":"object","properties":{"code":{"type":"string","description":"Python 3.11 source to run"},\
        "stdin":{"type":"string","description":"Text the program reads from standard input"}},"required":["code"]}
        """
}
