import Foundation
import NIOCore
import SwiftletBlocks
import SwiftletManifest
import SwiftletResources

/// Factory for `conversation.echo` and `conversation.openai`.
///
/// `conversation.openai` metadata: `endpoint` (default `https://api.openai.com/v1`), `model`
/// (default `gpt-4o-mini`; the environment variable `OPENAI_MODEL` wins, as in Dapr), `key`
/// (usually through `secretKeyRef`; may be left out for a local server) and `timeout` (e.g.
/// `60s`, the default).
public struct ConversationResourceFactory: ResourceFactory {
    let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    public var types: [String] { ["conversation.echo", "conversation.openai"] }

    public func make(_ settings: ResourceSettings, context: ResourceContext) async throws(ManifestError) -> Resource {
        switch settings.type {
        case "conversation.echo":
            return .conversation(EchoConversation())
        default:
            let endpoint = settings.string("endpoint") ?? "https://api.openai.com/v1"
            guard let url = URLComponents(string: endpoint), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw settings.spec.error(field: "endpoint", "expected an http or https URL, got '\(endpoint)'")
            }
            var timeout = 60_000
            if let text = settings.string("timeout") {
                guard let milliseconds = Units.milliseconds(text), milliseconds > 0, milliseconds <= Units.maxMilliseconds else {
                    throw settings.spec.error(field: "timeout", "expected a duration like 30s, got '\(text)'")
                }
                timeout = milliseconds
            }
            let maxTokens = try settings.string("maxTokens").map { _ throws(ManifestError) in
                try settings.int("maxTokens", default: 0, in: 1...1_000_000)
            }
            let model = environment["OPENAI_MODEL"].flatMap { $0.isEmpty ? nil : $0 } ?? settings.string("model") ?? "gpt-4o-mini"
            return .conversation(
                OpenAIConversation(
                    endpoint: endpoint, model: model, key: settings.string("key") ?? "", timeout: .milliseconds(Int64(timeout)),
                    defaultMaxTokens: maxTokens))
        }
    }
}
