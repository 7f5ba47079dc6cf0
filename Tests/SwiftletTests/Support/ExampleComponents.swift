/// Manifest fragments that put the examples' guests into apps written by tests.
enum ExampleComponents {
    /// examples/orders' two components (`orders-api` publishes to `topic`, `orders-store`
    /// stores), as entries under `components:`.
    static func orders(topic: String = "orders") -> String {
        """
          orders-api:
            source: \(Paths.example("orders/orders.wasm"))
            executor: handler
            environment: { ROLE: api, TOPIC: \(topic) }
            uses: [pubsub, statestore]
          orders-store:
            source: \(Paths.example("orders/orders.wasm"))
            executor: handler
            environment: { ROLE: store }
            uses: [statestore]
        """
    }
}
