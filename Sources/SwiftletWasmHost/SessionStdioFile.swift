@_spi(WASIPlatform) import WASI

/// A WASI standard stream (fd 0, 1 or 2) backed by the instance's ``GuestSession``, so one
/// instance can serve many calls, each with its own stdin and output destination.
struct SessionStdioFile: WASIFile {
    let session: GuestSession
    let stream: Int32

    var isBorrowed: Bool { true }

    func attributes() throws -> WASIAbi.Filestat {
        WASIAbi.Filestat(dev: 0, ino: 0, filetype: try fileType(), nlink: 0, size: 0, atim: 0, mtim: 0, ctim: 0)
    }

    func fileType() throws -> WASIAbi.FileType {
        let interactive = stream == 0 || (stream == 1 ? session.stdout.isInteractive : session.stderr.isInteractive)
        return interactive ? .CHARACTER_DEVICE : .UNKNOWN
    }

    func status() throws -> WASIAbi.Fdflags { [] }
    func setTimes(atim: WASIAbi.Timestamp, mtim: WASIAbi.Timestamp, fstFlags: WASIAbi.FstFlags) throws {
        throw WASIAbi.Errno.ENOTSUP
    }
    func advise(offset: WASIAbi.FileSize, length: WASIAbi.FileSize, advice: WASIAbi.Advice) throws {}
    func close() throws {}

    func fdStat() throws -> WASIAbi.FdStat {
        WASIAbi.FdStat(
            fsFileType: try fileType(), fsFlags: [],
            fsRightsBase: stream == 0 ? [.FD_READ] : [.FD_WRITE], fsRightsInheriting: []
        )
    }

    func setFdStatFlags(_ flags: WASIAbi.Fdflags) throws {}
    func setFilestatSize(_ size: WASIAbi.FileSize) throws { throw WASIAbi.Errno.ESPIPE }
    func sync() throws {}
    func datasync() throws {}
    func tell() throws -> WASIAbi.FileSize { throw WASIAbi.Errno.ESPIPE }
    func seek(offset: WASIAbi.FileDelta, whence: WASIAbi.Whence) throws -> WASIAbi.FileSize {
        throw WASIAbi.Errno.ESPIPE
    }

    func write(vectored buffers: GuestBuffers) throws -> WASIAbi.Size {
        guard stream != 0 else { throw WASIAbi.Errno.EBADF }
        var total = 0
        for index in 0..<buffers.count {
            total += try buffers.withHostBuffer(at: index) { buffer in
                guard session.write(stream: stream, UnsafeRawBufferPointer(buffer)) else {
                    // A full capture is the response-size limit: EFBIG tells libc to stop.
                    throw WASIAbi.Errno.EFBIG
                }
                return buffer.count
            }
        }
        return WASIAbi.Size(total)
    }

    func pwrite(vectored buffers: GuestBuffers, offset: WASIAbi.FileSize) throws -> WASIAbi.Size {
        throw WASIAbi.Errno.ESPIPE
    }

    func read(into buffers: GuestBuffers) throws -> WASIAbi.Size {
        guard stream == 0 else { throw WASIAbi.Errno.EBADF }
        var total = 0
        for index in 0..<buffers.count {
            let count = try buffers.withHostBuffer(at: index) { session.readStdin(into: $0) }
            total += count
            if count == 0 { break }
        }
        return WASIAbi.Size(total)
    }

    func pread(into buffers: GuestBuffers, offset: WASIAbi.FileSize) throws -> WASIAbi.Size {
        throw WASIAbi.Errno.ESPIPE
    }
}
