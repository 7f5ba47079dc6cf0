import SwiftletCore

/// Where the HTTP trigger finds the router for one request: a fixed router, or the app's
/// deployments, which pick a version per request and must know when it is done with it
/// (a retired version drains before its instances close).
public protocol RouterSource: Sendable {
    func lease() -> RouterLease
}

/// A router held for one request; `end()` once the response, streamed body included, is
/// finished. Ending twice is harmless.
public final class RouterLease: Sendable {
    public let router: HTTPRouter
    private let release: Locked<(@Sendable () -> Void)?>

    public init(router: HTTPRouter, release: (@Sendable () -> Void)? = nil) {
        self.router = router
        self.release = Locked(release)
    }

    public func end() {
        let release = self.release.withLock { release -> (@Sendable () -> Void)? in
            defer { release = nil }
            return release
        }
        release?()
    }
}

extension HTTPRouter: RouterSource {
    public func lease() -> RouterLease { RouterLease(router: self) }
}
