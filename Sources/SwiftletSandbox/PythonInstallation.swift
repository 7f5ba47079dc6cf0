import Foundation

/// Where CPython for WASI lives: `bin/python3.11.wasm` and `lib/python3.11/`, as
/// `scripts/install-python-sandbox.sh` installs them (not committed: 60 MB).
public struct PythonInstallation: Sendable, Equatable {
    public let home: String

    public var interpreter: String { home + "/bin/python3.11.wasm" }
    public var library: String { home + "/lib" }

    public init(home: String) {
        self.home = home
    }

    /// `SWIFTLET_PYTHON_HOME`, else the install script's default directory.
    public static func located(environment: [String: String] = ProcessInfo.processInfo.environment) throws(SandboxError)
        -> PythonInstallation
    {
        let home = environment["SWIFTLET_PYTHON_HOME"]
            ?? (environment["XDG_DATA_HOME"] ?? NSHomeDirectory() + "/.local/share") + "/swiftlet/python-3.11"
        let installation = PythonInstallation(home: home)
        guard FileManager.default.fileExists(atPath: installation.interpreter),
            FileManager.default.fileExists(atPath: installation.library + "/python3.11/os.py")
        else {
            throw SandboxError(
                "CPython for WASI is not installed at \(home): run scripts/install-python-sandbox.sh "
                    + "(or set SWIFTLET_PYTHON_HOME to its directory)")
        }
        return installation
    }
}

/// Why a sandbox could not be set up (a run that the sandbox stops is a ``SandboxResult``).
public struct SandboxError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
