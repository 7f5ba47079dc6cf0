/// Splits a `text/event-stream` body into the `data` of its events, as bytes arrive in
/// arbitrary chunks. Lines are bounded: a peer that never ends a line is refused.
public struct ServerSentEventParser: Sendable {
    public static let maxLineBytes = 1 << 20

    private var line: [UInt8] = []
    private var data: [String] = []

    public init() {}

    public struct LineTooLong: Error, Sendable {}

    /// Feeds bytes; returns the data of every event they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(LineTooLong) -> [String] {
        var events: [String] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if let event = endLine() { events.append(event) }
            } else {
                guard line.count < Self.maxLineBytes else { throw LineTooLong() }
                line.append(byte)
            }
        }
        return events
    }

    /// The event a final line without its blank line ends, if any.
    public mutating func finish() -> String? {
        if !line.isEmpty { _ = endLine() }
        return endLine()
    }

    private mutating func endLine() -> String? {
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            guard !data.isEmpty else { return nil }
            defer { data.removeAll() }
            return data.joined(separator: "\n")
        }
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix("data:") {
            var value = text.dropFirst(5)
            if value.first == " " { value = value.dropFirst() }
            data.append(String(value))
        }
        // Comments (":"), event names, ids and retry hints carry nothing a completion needs.
        return nil
    }
}
