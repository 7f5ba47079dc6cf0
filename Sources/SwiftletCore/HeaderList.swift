/// HTTP-style headers (and `swiftlet_v1` metadata) in order, repeats kept: what requests,
/// responses, CGI output and trace context carry. Names are compared case-insensitively.
public typealias HeaderList = [(name: String, value: String)]

extension Array where Element == (name: String, value: String) {
    /// The first value of `name`, compared without regard to case.
    public func value(of name: String) -> String? {
        first { $0.name.caseInsensitiveEquals(name) }?.value
    }
}

extension String {
    /// ASCII case-insensitive equality, without allocating lowercased copies (header names
    /// are ASCII tokens).
    public func caseInsensitiveEquals(_ other: String) -> Bool {
        let left = utf8, right = other.utf8
        guard left.count == right.count else { return false }
        for (a, b) in zip(left, right) where a != b {
            let lowerA = a >= 65 && a <= 90 ? a + 32 : a
            let lowerB = b >= 65 && b <= 90 ? b + 32 : b
            if lowerA != lowerB { return false }
        }
        return true
    }
}
