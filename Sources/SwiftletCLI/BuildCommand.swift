import ArgumentParser
import Foundation
import SwiftletManifest

/// `swiftlet build`: run each component's declared build command.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Run the build command of each component (components.<id>.build.command).",
        discussion: "Commands run with /bin/sh in the component's build.workdir (default: the manifest's directory)."
    )

    @Option(name: [.short, .customLong("file")], help: "The app manifest.")
    var file = "swiftlet.yaml"

    @Option(name: .customLong("component"), help: "Build only these components.")
    var only: [String] = []

    func run() throws {
        let manifest: AppManifest
        do {
            manifest = try ManifestParser.load(path: file, requireModules: false)
        } catch {
            throw CLIError(error.description)
        }
        for id in only where manifest.component(id) == nil {
            throw CLIError("no component named '\(id)' in \(file)")
        }
        var built = 0
        var commandsRun = Set<String>()
        for component in manifest.components where only.isEmpty || only.contains(component.id) {
            guard let build = component.build else {
                print("\(component.id): no build command, skipped")
                continue
            }
            // Components often share one build script; run each distinct command once.
            let key = "\(build.workdir)\n\(build.command)"
            guard commandsRun.insert(key).inserted else { continue }
            print("\(component.id): \(build.command)")
            let status = try Self.shell(build.command, in: build.workdir)
            guard status == 0 else {
                throw CLIError("\(component.id): build command failed with exit status \(status)")
            }
            guard FileManager.default.fileExists(atPath: component.source) else {
                throw CLIError("\(component.id): build finished but \(component.source) does not exist")
            }
            built += 1
        }
        print("built \(built) component build command(s)")
    }

    static func shell(_ command: String, in directory: String) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        do {
            try process.run()
        } catch {
            throw CLIError("cannot run /bin/sh: \(error.localizedDescription)")
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
