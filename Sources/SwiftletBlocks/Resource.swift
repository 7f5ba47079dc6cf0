/// What a Dapr resource (a component YAML) provides, by building block.
public enum Resource: Sendable {
    case state(any StateStore)
    case pubsub(any PubSubBackend)
    case secrets(any SecretStore)
    case configuration(any ConfigurationStore)
    case outputBinding(any OutputBinding)
    case inputBinding(any InputBinding)
    case conversation(any ConversationModel)
}

/// A source of events for the app (`bindings.cron`): each event is delivered as a POST to
/// the binding's route; `deliver` returns whether the app accepted it.
public protocol InputBinding: Sendable {
    func run(deliver: @escaping @Sendable ([UInt8]) async -> Bool) async
}
