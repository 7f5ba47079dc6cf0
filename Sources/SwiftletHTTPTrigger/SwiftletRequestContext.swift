import Hummingbird
import NIOCore

/// Request context that keeps the peer address, which CGI needs as `REMOTE_ADDR`.
public struct SwiftletRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
