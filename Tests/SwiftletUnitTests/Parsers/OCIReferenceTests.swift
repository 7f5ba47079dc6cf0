import SwiftletOCI
import Testing

@Suite struct OCIReferenceTests {
    @Test func tagsDigestsAndDefaults() throws {
        let tagged = try OCIReference(parsing: "oci://127.0.0.1:5000/apps/hello:1.0")
        #expect(tagged == OCIReference(registry: "127.0.0.1:5000", repository: "apps/hello", reference: "1.0"))
        #expect(tagged.description == "127.0.0.1:5000/apps/hello:1.0")

        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let pinned = try OCIReference(parsing: "registry.example.com/hello@\(digest)")
        #expect(pinned.isDigest && pinned.reference == digest && pinned.repository == "hello")

        #expect(try OCIReference(parsing: "localhost/hello").reference == "latest")
    }

    @Test(arguments: [
        ("hello:1.0", "expected registry/repository"),
        ("library/hello:1.0", "registry host"),
        ("127.0.0.1:5000/Hello:1", "lowercase"),
        ("127.0.0.1:5000/hello@sha256:1234", "not a sha256 digest"),
        ("127.0.0.1:5000/hello:bad/tag", "tag 'bad/tag'"),
        ("127.0.0.1:5000/hello:", "tag ''"),
    ])
    func badReferencesSayWhy(text: String, why: String) {
        #expect {
            _ = try OCIReference(parsing: text)
        } throws: { error in
            "\(error)".contains(why) && "\(error)".contains(text)
        }
    }
}
