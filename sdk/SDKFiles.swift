/// The guest SDK and project templates, compiled into the binary (see Package.swift).
public enum SDKFiles {
    /// `swiftlet.h`, the C header for the `swiftlet_v1` ABI.
    public static var cHeader: String { text(PackageResources.swiftlet_h) }
    /// `Swiftlet.swift`, the Embedded Swift wrapper of the ABI.
    public static var swiftLibrary: String { text(PackageResources.Swiftlet_swift) }

    /// A template project: file name in the new project and its contents with `{{name}}`.
    public struct Template: Sendable {
        public let files: [(path: String, contents: String, executable: Bool)]
    }

    public static let languages = ["c", "swift"]

    public static func template(_ language: String) -> Template? {
        switch language {
        case "c":
            Template(files: [
                ("swiftlet.yaml", text(PackageResources.c_yaml), false),
                ("main.c", text(PackageResources.c_main_c), false),
                ("build.sh", text(PackageResources.c_build_sh), true),
                ("swiftlet.h", cHeader, false),
            ])
        case "swift":
            Template(files: [
                ("swiftlet.yaml", text(PackageResources.swift_yaml), false),
                ("main.swift", text(PackageResources.swift_main_swift), false),
                ("build.sh", text(PackageResources.swift_build_sh), true),
                ("Swiftlet.swift", swiftLibrary, false),
            ])
        default:
            nil
        }
    }

    static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
