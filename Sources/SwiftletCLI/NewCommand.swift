import ArgumentParser
import Foundation
import SwiftletSDK

/// `swiftlet new`: create a project from a template.
struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create a new app from a template (a handler in C or Embedded Swift).",
        discussion: "Creates NAME/ with swiftlet.yaml, the source, the SDK file and build.sh. Then: cd NAME && swiftlet build && swiftlet up"
    )

    @Argument(help: "Template language: c or swift.")
    var language: String

    @Argument(help: "App name; also the directory created.")
    var name: String

    @Option(name: .customLong("dir"), help: "Create the project here instead of ./NAME.")
    var directory: String?

    func run() throws {
        guard let template = SDKFiles.template(language) else {
            throw CLIError("unknown template '\(language)'; choose one of: \(SDKFiles.languages.joined(separator: ", "))")
        }
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw CLIError("app names use letters, digits, '-' and '_'")
        }
        let target = URL(fileURLWithPath: directory ?? name)
        let manager = FileManager.default
        if manager.fileExists(atPath: target.path),
            let contents = try? manager.contentsOfDirectory(atPath: target.path), !contents.isEmpty
        {
            throw CLIError("\(target.path) already exists and is not empty")
        }
        do {
            try manager.createDirectory(at: target, withIntermediateDirectories: true)
            for file in template.files {
                let url = target.appendingPathComponent(file.path)
                try Data(file.contents.replacingOccurrences(of: "{{name}}", with: name).utf8).write(to: url)
                if file.executable {
                    try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
                }
            }
        } catch {
            throw CLIError("cannot create \(target.path): \(error.localizedDescription)")
        }
        print("Created \(target.path). Next: cd \(target.path) && swiftlet build && swiftlet up")
    }
}
