#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// A server holds a descriptor per connection: the default soft limit (often 1024) would
/// refuse the 1025th client while the hard limit allows far more.
enum FileDescriptorLimit {
    static func raise(logger: Logger) {
        var limit = rlimit()
        #if os(Linux)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        let previous = limit.rlim_cur
        limit.rlim_cur = limit.rlim_max
        if setrlimit(resource, &limit) == 0 {
            logger.debug("raised the open-file limit from \(previous) to \(limit.rlim_max)")
        }
    }
}
