import Foundation
import Yams

/// Reads `swiftlet.yaml` into an ``AppManifest``. Every problem is a ``ManifestError`` that
/// names file, line, column and field; unknown keys are errors.
public enum ManifestParser {
    /// Loads and validates the manifest at `path`.
    /// - Parameter requireModules: check that every component's `source` exists (off for
    ///   `swiftlet build`, which is what creates them).
    public static func load(path: String, requireModules: Bool = true) throws(ManifestError) -> AppManifest {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ManifestError(file: path, line: 0, column: 0, field: "", message: "cannot read the manifest file")
        }
        guard data.count <= YAMLDocument.maxBytes else {
            throw ManifestError(file: path, line: 1, column: 1, field: "", message: "the manifest is larger than 1 MiB")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ManifestError(file: path, line: 1, column: 1, field: "", message: "the manifest is not UTF-8 text")
        }
        return try parse(
            text, file: path, directory: url.deletingLastPathComponent().path, requireModules: requireModules)
    }

    /// Parses manifest text; `file` is used in error messages, `directory` to resolve paths.
    public static func parse(
        _ text: String, file: String, directory: String, requireModules: Bool = true
    ) throws(ManifestError) -> AppManifest {
        guard let root = try YAMLDocument.compose(text, file: file, multiple: false).first else {
            throw ManifestError(file: file, line: 1, column: 1, field: "", message: "the manifest is empty")
        }
        var reader = Reader(file: file, directory: directory, requireModules: requireModules)
        return try reader.app(YAMLField(node: root, path: "", file: file))
    }

    static func syntaxError(_ error: YamlError, file: String) -> ManifestError {
        switch error {
        case .scanner(let context, let problem, let mark, _):
            return ManifestError(
                file: file, line: mark.line, column: mark.column, field: "",
                message: "invalid YAML: \(context.map { "\($0.text) " } ?? "")\(problem)")
        case .parser(let context, let problem, let mark, _):
            return ManifestError(
                file: file, line: mark.line, column: mark.column, field: "",
                message: "invalid YAML: \(context.map { "\($0.text) " } ?? "")\(problem)")
        case .composer(let context, let problem, let mark, _):
            return ManifestError(
                file: file, line: mark.line, column: mark.column, field: "",
                message: "invalid YAML: \(context.map { "\($0.text) " } ?? "")\(problem)")
        default:
            return ManifestError(file: file, line: 1, column: 1, field: "", message: "invalid YAML: \(error)")
        }
    }
}

/// The field-by-field reading of a manifest.
struct Reader {
    let file: String
    let directory: String
    let requireModules: Bool

    static let appKeys = ["name", "version", "description", "components", "triggers", "tools"]
    static let componentKeys = [
        "source", "executor", "description", "environment", "args", "files", "dirs", "allowed_outbound_hosts",
        "isolation", "limits", "pool", "build", "uses", "engine",
    ]
    static let limitKeys = [
        "memory", "fuel", "timeout", "max_request_body", "max_response_body", "max_concurrency", "max_queue", "tokens",
    ]
    static let poolKeys = ["max_requests", "recycle_memory", "prewarm"]
    static let buildKeys = ["command", "workdir"]
    static let triggerKeys = ["http", "pubsub", "bindings"]
    static let pubsubTriggerKeys = [
        "pubsub", "topic", "component", "route", "dead_letter_topic", "max_in_flight", "max_attempts", "retry_delay",
    ]
    static let bindingTriggerKeys = ["binding", "component", "route"]
    static let httpRouteKeys = ["route", "component"]
    static let mountKeys = ["source", "destination"]
    static let dirKeys = ["source", "destination", "writable"]

    mutating func app(_ root: YAMLField) throws(ManifestError) -> AppManifest {
        var name: String?
        var version = "0.0.0"
        var description: String?
        var components: [ComponentManifest] = []
        var routesField: YAMLField?
        var toolsField: YAMLField?
        for (key, field) in try root.mapping(allowed: Self.appKeys) {
            switch key {
            case "name": name = try appName(field)
            case "version": version = try field.nonEmptyString()
            case "description": description = try field.string()
            case "components": components = try self.components(field)
            case "triggers": routesField = field
            case "tools": toolsField = field
            default: break
            }
        }
        guard let name else { throw root.error("missing required field 'name'") }
        guard !components.isEmpty else { throw root.error("missing required field 'components' (at least one)") }
        var manifest = AppManifest(
            file: file, directory: directory, name: name, version: version, description: description,
            components: components, httpRoutes: [])
        if let routesField { try triggers(routesField, into: &manifest) }
        if let toolsField { manifest.tools = try tools(toolsField, components: components) }
        return manifest
    }

    func appName(_ field: YAMLField) throws(ManifestError) -> String {
        let name = try field.nonEmptyString()
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw field.error("use letters, digits, '-', '_' or '.'")
        }
        return name
    }

    func components(_ field: YAMLField) throws(ManifestError) -> [ComponentManifest] {
        var result: [ComponentManifest] = []
        for (id, keyField, value) in try field.namedEntries() {
            guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw keyField.error("component ids use letters, digits, '-' and '_'")
            }
            result.append(try component(id: id, value))
        }
        return result
    }

    func component(id: String, _ field: YAMLField) throws(ManifestError) -> ComponentManifest {
        var source: (String, ManifestLocation)?
        var executor: ComponentManifest.Executor?
        var component = ComponentManifest(
            id: id, description: nil, source: "", sourceLocation: location(field), executor: .handler,
            isolation: .warm, environment: [:], args: [], files: [], dirs: [], allowedOutboundHosts: [],
            limits: LimitsManifest(), pool: PoolManifest(), build: nil)
        for (key, value) in try field.mapping(allowed: Self.componentKeys) {
            switch key {
            case "source": source = (try path(value, mustExist: requireModules, what: "module file"), location(value))
            case "executor": executor = try choice(value, ComponentManifest.Executor.self)
            case "description": component.description = try value.string()
            case "environment": component.environment = try environment(value)
            case "args": component.args = try value.stringList()
            case "files": component.files = try files(value)
            case "dirs": component.dirs = try dirs(value)
            case "allowed_outbound_hosts": component.allowedOutboundHosts = try outboundHosts(value)
            case "isolation": component.isolation = try choice(value, ComponentManifest.Isolation.self)
            case "engine": component.engine = try choice(value, ComponentManifest.Engine.self)
            case "limits": component.limits = try limits(value)
            case "pool": component.pool = try pool(value)
            case "build": component.build = try build(value)
            case "uses":
                for item in try value.sequence() {
                    component.uses.append(try item.nonEmptyString())
                    component.usesLocations.append(location(item))
                }
            default: break
            }
        }
        guard let source else { throw field.error("missing required field 'source' (path of the .wasm module)") }
        guard let executor else { throw field.error("missing required field 'executor' (wagi or handler)") }
        component.source = source.0
        component.sourceLocation = source.1
        component.executor = executor
        return component
    }

    func location(_ field: YAMLField) -> ManifestLocation {
        let mark = field.node.mark
        return ManifestLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, field: field.path)
    }

    func choice<T: RawRepresentable & CaseIterable>(_ field: YAMLField, _: T.Type) throws(ManifestError) -> T
    where T.RawValue == String {
        let text = try field.string()
        guard let value = T(rawValue: text) else {
            throw field.error("'\(text)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// Resolves a path relative to the manifest's directory.
    func path(_ field: YAMLField, mustExist: Bool, what: String) throws(ManifestError) -> String {
        let text = try field.nonEmptyString()
        let resolved = resolve(text)
        if mustExist, !FileManager.default.fileExists(atPath: resolved) {
            throw field.error("\(what) '\(text)' not found (looked for \(resolved))")
        }
        return resolved
    }

    func resolve(_ text: String) -> String {
        let url = text.hasPrefix("/") ? URL(fileURLWithPath: text) : URL(fileURLWithPath: directory).appendingPathComponent(text)
        return url.standardizedFileURL.path
    }

    func environment(_ field: YAMLField) throws(ManifestError) -> [String: String] {
        var result: [String: String] = [:]
        for (name, keyField, value) in try field.namedEntries() {
            guard !name.isEmpty, !name.contains("="), !name.contains("\0") else {
                throw keyField.error("an environment variable name must be non-empty and contain no '='")
            }
            guard value.isScalar else { throw value.error("expected a string value") }
            result[name] = try value.string()
        }
        return result
    }

    func guestPath(_ field: YAMLField) throws(ManifestError) -> String {
        let text = try field.nonEmptyString()
        guard text.hasPrefix("/") else { throw field.error("a guest path must be absolute (start with '/')") }
        guard !text.split(separator: "/").contains("..") else { throw field.error("a guest path must not contain '..'") }
        return text
    }

    func files(_ field: YAMLField) throws(ManifestError) -> [FileMount] {
        var result: [FileMount] = []
        for item in try field.sequence() {
            if item.isScalar {
                let text = try item.nonEmptyString()
                guard !text.hasPrefix("/"), !text.split(separator: "/").contains("..") else {
                    throw item.error("a file shorthand is a path inside the app directory; use {source, destination} for others")
                }
                let source = try path(item, mustExist: true, what: "file")
                result.append(FileMount(source: source, destination: "/" + text))
            } else {
                var source: String?
                var destination: String?
                for (key, value) in try item.mapping(allowed: Self.mountKeys) {
                    if key == "source" { source = try path(value, mustExist: true, what: "file") }
                    if key == "destination" { destination = try guestPath(value) }
                }
                guard let source else { throw item.error("missing required field 'source'") }
                guard let destination else { throw item.error("missing required field 'destination'") }
                result.append(FileMount(source: source, destination: destination))
            }
        }
        return result
    }

    func dirs(_ field: YAMLField) throws(ManifestError) -> [DirectoryMountManifest] {
        var result: [DirectoryMountManifest] = []
        for item in try field.sequence() {
            var source: String?
            var destination: String?
            var writable = false
            if item.isScalar {
                let text = try item.nonEmptyString()
                source = try directoryPath(item)
                destination = text.hasPrefix("/") ? text : "/" + text
            } else {
                for (key, value) in try item.mapping(allowed: Self.dirKeys) {
                    switch key {
                    case "source": source = try directoryPath(value)
                    case "destination": destination = try guestPath(value)
                    case "writable": writable = try value.bool()
                    default: break
                    }
                }
            }
            guard let source else { throw item.error("missing required field 'source'") }
            guard let destination else { throw item.error("missing required field 'destination'") }
            result.append(DirectoryMountManifest(source: source, destination: destination, writable: writable))
        }
        return result
    }

    func directoryPath(_ field: YAMLField) throws(ManifestError) -> String {
        let resolved = try path(field, mustExist: true, what: "directory")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw field.error("'\(try field.string())' is not a directory")
        }
        return resolved
    }

    func outboundHosts(_ field: YAMLField) throws(ManifestError) -> [String] {
        var result: [String] = []
        for item in try field.sequence() {
            let text = try item.nonEmptyString()
            do {
                _ = try OutboundHostPattern(text)
            } catch {
                throw item.error(error.message)
            }
            result.append(text)
        }
        return result
    }

    func limits(_ field: YAMLField) throws(ManifestError) -> LimitsManifest {
        var limits = LimitsManifest()
        for (key, value) in try field.mapping(allowed: Self.limitKeys) {
            switch key {
            case "memory":
                let bytes = try value.byteSize(max: Units.maxWasmMemory, "4Gi (the most a wasm32 guest can address)")
                guard bytes >= 65536 else { throw value.error("memory must be at least 64Ki (one Wasm page)") }
                limits.memory = bytes
            case "fuel": limits.fuel = UInt64(try value.int(min: 1))
            case "timeout": limits.timeoutMilliseconds = try value.milliseconds()
            // Bodies are held in memory: a gibibyte is far past any request a function serves.
            case "max_request_body": limits.maxRequestBody = try value.byteSize(max: 1 << 30, "1Gi")
            case "max_response_body": limits.maxResponseBody = try value.byteSize(max: 1 << 30, "1Gi")
            case "max_concurrency": limits.maxConcurrency = try value.int(min: 1, max: 100_000)
            case "max_queue": limits.maxQueue = try value.int(min: 0, max: 1_000_000)
            case "tokens": limits.tokens = try value.int(min: 1, max: 100_000_000)
            default: break
            }
        }
        return limits
    }

    func pool(_ field: YAMLField) throws(ManifestError) -> PoolManifest {
        var pool = PoolManifest()
        for (key, value) in try field.mapping(allowed: Self.poolKeys) {
            switch key {
            case "max_requests": pool.maxRequests = try value.int(min: 1)
            case "recycle_memory": pool.recycleMemory = try value.byteSize(max: Units.maxWasmMemory, "4Gi")
            // Each prepared instance holds its memory: a few cover any burst a prewarmer can keep up with.
            case "prewarm": pool.prewarm = try value.int(min: 0, max: 64)
            default: break
            }
        }
        return pool
    }

    func build(_ field: YAMLField) throws(ManifestError) -> BuildManifest {
        var command: String?
        var workdir = directory
        for (key, value) in try field.mapping(allowed: Self.buildKeys) {
            if key == "command" { command = try value.nonEmptyString() }
            if key == "workdir" { workdir = try directoryPath(value) }
        }
        guard let command else { throw field.error("missing required field 'command'") }
        return BuildManifest(command: command, workdir: workdir)
    }

    func triggers(_ field: YAMLField, into manifest: inout AppManifest) throws(ManifestError) {
        for (key, value) in try field.mapping(allowed: Self.triggerKeys) {
            switch key {
            case "http": manifest.httpRoutes = try httpTriggers(value, components: manifest.components)
            case "pubsub": manifest.pubsubTriggers = try pubsubTriggers(value, components: manifest.components)
            case "bindings": manifest.bindingTriggers = try bindingTriggers(value, components: manifest.components)
            default: break
            }
        }
    }

    /// `component` or `route`, exactly one.
    func eventTarget(_ item: YAMLField, component: YAMLField?, route: YAMLField?, components: [ComponentManifest])
        throws(ManifestError) -> EventTarget
    {
        switch (component, route) {
        case (let component?, nil):
            return .component(try componentReference(component, components: components))
        case (nil, let route?):
            let text = try route.nonEmptyString()
            guard text.hasPrefix("/") else { throw route.error("a route must start with '/'") }
            return .route(text)
        case (nil, nil):
            throw item.error("needs 'component' (deliver to it directly) or 'route' (deliver through an HTTP route)")
        default:
            throw item.error("give 'component' or 'route', not both")
        }
    }

    func componentReference(_ field: YAMLField, components: [ComponentManifest]) throws(ManifestError) -> String {
        let id = try field.nonEmptyString()
        guard components.contains(where: { $0.id == id }) else {
            let known = components.map(\.id).joined(separator: ", ")
            throw field.error("no component named '\(id)' (components: \(known))")
        }
        return id
    }

    func pubsubTriggers(_ field: YAMLField, components: [ComponentManifest]) throws(ManifestError) -> [PubSubTriggerManifest] {
        var triggers: [PubSubTriggerManifest] = []
        for item in try field.sequence() {
            var values: [String: YAMLField] = [:]
            for (key, value) in try item.mapping(allowed: Self.pubsubTriggerKeys) { values[key] = value }
            guard let pubsub = values["pubsub"] else { throw item.error("missing required field 'pubsub'") }
            guard let topic = values["topic"] else { throw item.error("missing required field 'topic'") }
            triggers.append(PubSubTriggerManifest(
                pubsub: try pubsub.nonEmptyString(), topic: try topic.nonEmptyString(),
                target: try eventTarget(item, component: values["component"], route: values["route"], components: components),
                deadLetterTopic: try values["dead_letter_topic"]?.nonEmptyString(),
                maxInFlight: try values["max_in_flight"]?.int(min: 1) ?? 16,
                maxAttempts: try values["max_attempts"]?.int(min: 1) ?? 10,
                retryDelaySeconds: Double(try values["retry_delay"]?.milliseconds() ?? 1000) / 1000,
                location: location(item)))
        }
        return triggers
    }

    func bindingTriggers(_ field: YAMLField, components: [ComponentManifest]) throws(ManifestError) -> [BindingTriggerManifest] {
        var triggers: [BindingTriggerManifest] = []
        for item in try field.sequence() {
            var values: [String: YAMLField] = [:]
            for (key, value) in try item.mapping(allowed: Self.bindingTriggerKeys) { values[key] = value }
            guard let binding = values["binding"] else { throw item.error("missing required field 'binding'") }
            triggers.append(BindingTriggerManifest(
                binding: try binding.nonEmptyString(),
                target: try eventTarget(item, component: values["component"], route: values["route"], components: components),
                location: location(item)))
        }
        return triggers
    }

    func httpTriggers(_ value: YAMLField, components: [ComponentManifest]) throws(ManifestError) -> [HTTPRouteManifest] {
        var routes: [HTTPRouteManifest] = []
        for item in try value.sequence() {
            var pattern: (RoutePattern, YAMLField)?
            var componentID: String?
            for (routeKey, routeValue) in try item.mapping(allowed: Self.httpRouteKeys) {
                if routeKey == "route" {
                    let text = try routeValue.string()
                    do {
                        pattern = (try RoutePattern(text), routeValue)
                    } catch {
                        throw routeValue.error(error.message)
                    }
                }
                if routeKey == "component" { componentID = try componentReference(routeValue, components: components) }
            }
            guard let pattern else { throw item.error("missing required field 'route'") }
            guard let componentID else { throw item.error("missing required field 'component'") }
            if let clash = routes.first(where: { $0.route.hasSameShape(as: pattern.0) }) {
                throw pattern.1.error(
                    "route '\(pattern.0)' cannot be told apart from '\(clash.route)' at line \(clash.location.line)")
            }
            routes.append(HTTPRouteManifest(route: pattern.0, component: componentID, location: location(pattern.1)))
        }
        return routes
    }
}
