#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `write(2)`, returning the byte count or -1.
func systemWrite(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    while true {
        let result = write(fd, pointer, count)
        if result < 0 && errno == EINTR { continue }
        return result
    }
}
