import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwiftletCore

/// The OCI distribution protocol, as much as pushing and pulling an app needs: blob
/// existence checks, two-step uploads (POST then PUT with the digest; the registry in
/// Debian's `docker-registry` refuses single-POST uploads), manifests by tag or digest, and
/// Basic or Bearer-token authentication answered from the registry's challenge.
public final class RegistryClient: Sendable {
    let insecure: Bool
    let credentials: RegistryCredentials?
    let client: HTTPClient
    let progress: TransferProgress
    /// The Authorization header that last worked, reused until the registry asks again.
    private let authorization = Locked<String?>(nil)

    public init(
        insecure: Bool = false, credentials: RegistryCredentials? = nil, client: HTTPClient = .shared,
        progress: TransferProgress = TransferProgress()
    ) {
        self.insecure = insecure
        self.credentials = credentials
        self.client = client
        self.progress = progress
    }

    func base(_ reference: OCIReference) -> String {
        "\(insecure ? "http" : "https")://\(reference.registry)/v2/\(reference.repository)"
    }

    // MARK: Push

    /// Uploads every blob the registry lacks, then the manifest under the reference's tag.
    /// Returns the manifest digest.
    @discardableResult
    public func push(_ artifact: AppArtifact, to reference: OCIReference) async throws -> String {
        try await upload(artifact.configBytes, digest: artifact.manifest.config.digest, name: "config", to: reference)
        for layer in artifact.layers {
            guard let data = FileManager.default.contents(atPath: layer.path) else { throw OCIError.packing("cannot read \(layer.path)") }
            let bytes = Array(data)
            // The file may have changed since packing; never push bytes under a wrong name.
            let actual = Digest.sha256(bytes)
            guard actual == layer.descriptor.digest else {
                throw OCIError.packing("\(layer.path) changed while pushing (expected \(layer.descriptor.digest), now \(actual))")
            }
            try await upload(bytes, digest: actual, name: layer.descriptor.title ?? actual, to: reference)
        }
        let tag = reference.isDigest ? artifact.manifestDigest : reference.reference
        let response = try await send(
            base(reference) + "/manifests/\(tag)", method: .PUT, reference: reference, push: true,
            headers: [("Content-Type", MediaType.imageManifest)], body: artifact.manifestBytes)
        guard response.status == .created else {
            throw OCIError.registry("pushing the manifest to \(reference) failed: \(response.describe())")
        }
        return artifact.manifestDigest
    }

    func upload(_ bytes: [UInt8], digest: String, name: String, to reference: OCIReference) async throws {
        let exists = try await send(base(reference) + "/blobs/\(digest)", method: .HEAD, reference: reference, push: true)
        if exists.status == .ok {
            progress.finish("push", name, total: bytes.count, note: "already there")
            return
        }
        let start = try await send(base(reference) + "/blobs/uploads/", method: .POST, reference: reference, push: true)
        guard start.status == .accepted, let location = start.headers.first(name: "Location") else {
            throw OCIError.registry("starting an upload to \(reference.registry)/\(reference.repository) failed: \(start.describe())")
        }
        var url = location.hasPrefix("http") ? location : "\(insecure ? "http" : "https")://\(reference.registry)\(location)"
        url += (url.contains("?") ? "&" : "?") + "digest=\(digest)"
        progress.update("push", name, done: 0, total: bytes.count)
        let finished = try await send(
            url, method: .PUT, reference: reference, push: true,
            headers: [("Content-Type", "application/octet-stream")], body: bytes)
        guard finished.status == .created else {
            throw OCIError.registry("uploading \(name) (\(digest)) failed: \(finished.describe())")
        }
        progress.finish("push", name, total: bytes.count)
    }

    // MARK: Pull

    /// A pulled app: where it was unpacked and what it is.
    public struct PulledApp: Sendable {
        public var manifestPath: String
        public var manifestDigest: String
        /// The artifact by digest (`oci://registry/repository@sha256:…`): what a tag resolved
        /// to, so a rollback or another replica gets these very bytes.
        public var pinnedSource: String
        public var config: AppConfig
        public var bytesDownloaded: Int
    }

    /// The largest manifest accepted, as the OCI distribution spec suggests registries do.
    static let maxManifestSize = 4 << 20

    /// Fetches the manifest, every blob not already cached (each checked against its
    /// digest), and unpacks the app in the cache.
    public func pull(_ reference: OCIReference, into cache: BlobCache) async throws -> PulledApp {
        let response = try await send(
            base(reference) + "/manifests/\(reference.reference)", method: .GET, reference: reference, push: false,
            headers: [("Accept", [MediaType.imageManifest, MediaType.imageIndex, MediaType.dockerManifest].joined(separator: ", "))],
            limit: Self.maxManifestSize)
        guard response.status == .ok else {
            if response.status == .notFound { throw OCIError.notFound("\(reference) was not found in the registry") }
            throw OCIError.registry("fetching the manifest of \(reference) failed: \(response.describe())")
        }
        let manifestDigest = Digest.sha256(response.body)
        if reference.isDigest, manifestDigest != reference.reference {
            throw OCIError.digestMismatch(what: "the manifest of \(reference)", expected: reference.reference, actual: manifestDigest)
        }
        if let announced = response.headers.first(name: "Docker-Content-Digest"), Digest.isValid(announced), announced != manifestDigest {
            throw OCIError.digestMismatch(what: "the manifest of \(reference)", expected: announced, actual: manifestDigest)
        }
        let manifest: ImageManifest
        do {
            manifest = try JSONDecoder().decode(ImageManifest.self, from: Data(response.body))
        } catch {
            throw OCIError.invalidArtifact("\(reference) is not an OCI image manifest (\(error))")
        }
        try AppArtifact.validate(manifest)
        var downloaded = 0
        downloaded += try await fetch(manifest.config, name: "config", from: reference, into: cache)
        // An app unpacked before serves from its directory: reading and hashing every layer
        // blob again on each start would check copies that are not what runs.
        if !cache.isUnpacked(manifestDigest) {
            for layer in manifest.layers {
                downloaded += try await fetch(layer, name: layer.title ?? layer.digest, from: reference, into: cache)
            }
        }
        guard let configData = FileManager.default.contents(atPath: cache.blobPath(manifest.config.digest)),
            let config = try? JSONDecoder().decode(AppConfig.self, from: configData)
        else { throw OCIError.invalidArtifact("the app config of \(reference) does not parse") }
        let manifestPath = try cache.unpack(manifest, manifestDigest: manifestDigest, config: config)
        let pinned = OCIReference(registry: reference.registry, repository: reference.repository, reference: manifestDigest)
        return PulledApp(
            manifestPath: manifestPath, manifestDigest: manifestDigest, pinnedSource: "oci://\(pinned)", config: config,
            bytesDownloaded: downloaded)
    }

    /// Downloads one blob unless the cache has it; returns the bytes downloaded.
    func fetch(_ descriptor: Descriptor, name: String, from reference: OCIReference, into cache: BlobCache) async throws -> Int {
        if cache.hasVerifiedBlob(descriptor.digest) {
            progress.finish("pull", name, total: descriptor.size, note: "cached")
            return 0
        }
        let response = try await send(
            base(reference) + "/blobs/\(descriptor.digest)", method: .GET, reference: reference, push: false,
            // The size was validated against maxBlobSize, so adding one cannot overflow.
            limit: descriptor.size + 1, onBytes: { [progress] done in progress.update("pull", name, done: done, total: descriptor.size) })
        guard response.status == .ok else {
            throw OCIError.registry("fetching \(name) (\(descriptor.digest)) failed: \(response.describe())")
        }
        guard response.body.count == descriptor.size else {
            throw OCIError.digestMismatch(
                what: "\(name) (\(response.body.count) bytes, manifest says \(descriptor.size))", expected: descriptor.digest,
                actual: Digest.sha256(response.body))
        }
        try cache.store(response.body, digest: descriptor.digest, what: name)
        progress.finish("pull", name, total: descriptor.size)
        return response.body.count
    }

    // MARK: HTTP with authentication

    struct Reply {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: [UInt8]

        func describe() -> String {
            let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return "HTTP \(status.code)" + (text.isEmpty ? "" : ": \(text)")
        }
    }

    func send(
        _ url: String, method: HTTPMethod, reference: OCIReference, push: Bool, headers: [(String, String)] = [],
        body: [UInt8]? = nil, limit: Int = 64 << 20, onBytes: (@Sendable (Int) -> Void)? = nil
    ) async throws -> Reply {
        var reply = try await execute(
            url, method: method, headers: headers, authorization: authorization.withLock { $0 }, body: body, limit: limit, onBytes: onBytes)
        guard reply.status == .unauthorized else { return reply }
        guard let header = reply.headers.first(name: "WWW-Authenticate"), let challenge = AuthChallenge(header) else {
            throw OCIError.unauthorized("\(reference.registry) refused the request (401) without saying how to authenticate")
        }
        let answer = try await authorize(challenge, reference: reference, push: push)
        authorization.withLock { $0 = answer }
        reply = try await execute(url, method: method, headers: headers, authorization: answer, body: body, limit: limit, onBytes: onBytes)
        if reply.status == .unauthorized || reply.status == .forbidden {
            throw OCIError.unauthorized(
                "\(reference.registry) refused the credentials for \(reference.repository) (HTTP \(reply.status.code)); "
                    + "set --username/--password or SWIFTLET_REGISTRY_USERNAME/SWIFTLET_REGISTRY_PASSWORD")
        }
        return reply
    }

    func authorize(_ challenge: AuthChallenge, reference: OCIReference, push: Bool) async throws -> String {
        switch challenge.scheme {
        case "basic":
            guard let credentials else {
                throw OCIError.unauthorized(
                    "\(reference.registry) needs a login: set --username/--password or SWIFTLET_REGISTRY_USERNAME/SWIFTLET_REGISTRY_PASSWORD")
            }
            return credentials.basicHeader
        case "bearer":
            guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm) else {
                throw OCIError.unauthorized("\(reference.registry) sent a Bearer challenge without a realm")
            }
            var query = components.queryItems ?? []
            if let service = challenge.parameters["service"] { query.append(URLQueryItem(name: "service", value: service)) }
            let scope = challenge.parameters["scope"] ?? "repository:\(reference.repository):\(push ? "pull,push" : "pull")"
            query.append(URLQueryItem(name: "scope", value: scope))
            components.queryItems = query
            guard let url = components.string else { throw OCIError.unauthorized("bad token realm \(realm)") }
            let reply = try await execute(
                url, method: .GET, headers: [], authorization: credentials?.basicHeader, body: nil, limit: 1 << 20, onBytes: nil)
            guard reply.status == .ok,
                let object = try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any],
                let token = (object["token"] as? String) ?? (object["access_token"] as? String)
            else {
                throw OCIError.unauthorized("the token service \(realm) refused: \(reply.describe())")
            }
            return "Bearer " + token
        default:
            throw OCIError.unauthorized("\(reference.registry) asks for '\(challenge.scheme)' authentication, which Swiftlet does not speak")
        }
    }

    func execute(
        _ url: String, method: HTTPMethod, headers: [(String, String)], authorization: String?, body: [UInt8]?, limit: Int,
        onBytes: (@Sendable (Int) -> Void)?
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let authorization { request.headers.replaceOrAdd(name: "Authorization", value: authorization) }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
        } else if method == .PUT || method == .POST {
            request.headers.replaceOrAdd(name: "Content-Length", value: "0")
        }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(300))
        } catch {
            throw OCIError.registry("cannot reach \(url): \(error)\(insecure ? "" : " (a plain-HTTP registry needs --insecure)")")
        }
        var bytes: [UInt8] = []
        if method != .HEAD {
            for try await chunk in response.body {
                // Checked before appending: the registry chooses chunk sizes too.
                guard chunk.readableBytes <= limit - bytes.count else {
                    throw OCIError.registry("\(url) sent more than the \(limit) bytes expected")
                }
                bytes += chunk.readableBytesView
                onBytes?(bytes.count)
            }
        }
        return Reply(status: response.status, headers: response.headers, body: bytes)
    }
}
