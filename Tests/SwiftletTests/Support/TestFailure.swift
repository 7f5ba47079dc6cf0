/// A test's own failure with a message (a service never came up, output never appeared).
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
