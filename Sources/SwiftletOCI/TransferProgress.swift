import Foundation

/// One line per blob on a terminal, rewritten in place as bytes move; silent otherwise
/// (logs and CI output stay clean).
public final class TransferProgress: Sendable {
    let enabled: Bool

    public init(enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.enabled = enabled
    }

    func update(_ verb: String, _ name: String, done: Int, total: Int) {
        guard enabled else { return }
        let percent = total > 0 ? done * 100 / total : 100
        write("\r\(verb) \(name) \(Self.size(done)) / \(Self.size(total)) \(percent)%\u{1B}[K")
    }

    func finish(_ verb: String, _ name: String, total: Int, note: String = "") {
        guard enabled else { return }
        write("\r\(verb) \(name) \(Self.size(total)) \(note.isEmpty ? "done" : note)\u{1B}[K\n")
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func size(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1024 * 1024 { return String(format: "%.1f KiB", Double(bytes) / 1024) }
        return String(format: "%.1f MiB", Double(bytes) / 1024 / 1024)
    }
}
