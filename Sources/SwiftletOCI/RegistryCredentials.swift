import Foundation

/// A registry login: from `--username`/`--password`, `SWIFTLET_REGISTRY_USERNAME` and
/// `SWIFTLET_REGISTRY_PASSWORD`, or the `auths` of a Docker `config.json`.
public struct RegistryCredentials: Sendable, Equatable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    var basicHeader: String { "Basic " + Data("\(username):\(password)".utf8).base64EncodedString() }

    /// The first of: explicit values, the environment, `$DOCKER_CONFIG/config.json` (or
    /// `~/.docker/config.json`) for `registry`.
    public static func resolve(
        registry: String, username: String? = nil, password: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> RegistryCredentials? {
        if let username, let password { return RegistryCredentials(username: username, password: password) }
        if let username = environment["SWIFTLET_REGISTRY_USERNAME"], let password = environment["SWIFTLET_REGISTRY_PASSWORD"] {
            return RegistryCredentials(username: username, password: password)
        }
        let directory = environment["DOCKER_CONFIG"] ?? ((environment["HOME"] ?? "") + "/.docker")
        guard let data = FileManager.default.contents(atPath: directory + "/config.json"),
            let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let auths = root["auths"] as? [String: Any]
        else { return nil }
        for key in [registry, "https://\(registry)", "http://\(registry)"] {
            guard let entry = auths[key] as? [String: Any], let encoded = entry["auth"] as? String,
                let decoded = Data(base64Encoded: encoded).flatMap({ String(data: $0, encoding: .utf8) }),
                let colon = decoded.firstIndex(of: ":")
            else { continue }
            return RegistryCredentials(username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
        }
        return nil
    }
}

/// A `WWW-Authenticate` challenge: `Basic realm=...` or `Bearer realm=...,service=...,scope=...`.
package struct AuthChallenge: Equatable {
    var scheme: String
    var parameters: [String: String]

    package init?(_ header: String) {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(of: " ") else {
            guard !trimmed.isEmpty else { return nil }
            scheme = trimmed.lowercased()
            parameters = [:]
            return
        }
        scheme = trimmed[..<space].lowercased()
        var parameters: [String: String] = [:]
        var rest = Substring(trimmed[trimmed.index(after: space)...])
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                let end = rest.firstIndex(of: "\"") ?? rest.endIndex
                value = String(rest[..<end])
                rest = end < rest.endIndex ? rest[rest.index(after: end)...] : ""
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            parameters[key] = value
        }
        self.parameters = parameters
    }
}
