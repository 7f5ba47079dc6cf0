import SwiftletTestSupport
import Testing

@testable import SwiftletABI

@Suite("WASI guards")
struct WASIGuardTests {
    func arguments(_ values: [UInt64]) -> HostArguments {
        var arguments = HostArguments()
        for (index, value) in values.enumerated() { arguments[index] = value }
        return arguments
    }

    func valid(_ name: String, _ values: [UInt64], _ memory: TestMemory) -> Bool {
        WASIPointerGuard.isValid(WASIPointerGuard.ranges(for: name) ?? [], arguments(values), in: memory)
    }

    @Test func iovecBuffersAreChecked() throws {
        let memory = TestMemory(size: 1024)
        // One iovec at 0 pointing at 100..<110.
        try memory.writeUInt32(100, at: 0)
        try memory.writeUInt32(10, at: 4)
        #expect(valid("fd_write", [1, 0, 1, 200], memory))
        try memory.writeUInt32(1020, at: 0)
        #expect(!valid("fd_write", [1, 0, 1, 200], memory), "the iovec's buffer runs past memory")
        #expect(!valid("fd_write", [1, 1020, 1, 200], memory), "the iovec array runs past memory")
        #expect(!valid("fd_write", [1, 0, 0x2000_0000, 200], memory), "an iovec count that overflows")
        #expect(!valid("fd_write", [1, 0, 0, 1022], memory), "the nwritten pointer runs past memory")
    }

    @Test func fixedAndRangedPointers() {
        let memory = TestMemory(size: 1024)
        #expect(valid("clock_time_get", [1, 0, 1016], memory))
        #expect(!valid("clock_time_get", [1, 0, 1017], memory))
        #expect(!valid("random_get", [1000, 100], memory))
        #expect(!valid("path_open", [3, 0, 0, 5, 0, 0, 0, 0, 1022], memory))
        #expect(!valid("poll_oneoff", [0, 0, 100, 8], memory), "100 subscriptions do not fit")
        #expect(valid("fd_close", [3], memory), "functions without pointers pass")
    }

    @Test func argumentsAndEnvironmentAreWrittenWithinBounds() {
        let memory = TestMemory(size: 256)
        let entries = ["A=1", "LONGER=value"]
        #expect(WASIArgumentsAndEnvironment.sizes(of: entries, countPointer: 0, sizePointer: 4, in: memory) == 0)
        #expect((try? memory.readUInt32(0)) == 2)
        #expect((try? memory.readUInt32(4)) == 17)
        #expect(WASIArgumentsAndEnvironment.get(entries, pointers: 16, buffer: 32, in: memory) == 0)
        #expect((try? memory.readUInt32(16)) == 32)
        #expect((try? memory.readUInt32(20)) == 36)
        #expect(memory.string(at: 32, count: 17) == "A=1\0LONGER=value\0")
        #expect(WASIArgumentsAndEnvironment.get(entries, pointers: 16, buffer: 250, in: memory) == WASIPointerGuard.efault)
        #expect(WASIArgumentsAndEnvironment.sizes(of: entries, countPointer: 254, sizePointer: 4, in: memory) == WASIPointerGuard.efault)
    }

    @Test func readOnlyDescriptorsRefuseWrites() throws {
        let memory = TestMemory()
        var policy = WASIReadOnlyPolicy(readOnlyDescriptors: [3])
        // path_open(fd, dirflags, path, len, oflags, rights_base, rights_inheriting, fdflags, fd_out)
        let readOnlyOpen = arguments([3, 0, 0, 4, 0, 1 << 1, 0, 0, 100])
        #expect(policy.check("path_open", readOnlyOpen) == nil)
        #expect(policy.check("path_open", arguments([3, 0, 0, 4, 1, 1 << 1, 0, 0, 100])) == WASIReadOnlyPolicy.erofs, "O_CREAT")
        #expect(policy.check("path_open", arguments([3, 0, 0, 4, 0, 1 << 6, 0, 0, 100])) == WASIReadOnlyPolicy.erofs, "write rights")
        #expect(policy.check("path_open", arguments([4, 0, 0, 4, 1, 1 << 6, 0, 0, 100])) == nil, "fd 4 is writable")
        #expect(policy.check("path_unlink_file", arguments([3, 0, 4])) == WASIReadOnlyPolicy.erofs)
        #expect(policy.check("path_rename", arguments([4, 0, 1, 3, 0, 1])) == WASIReadOnlyPolicy.erofs, "into a read-only dir")

        // A descriptor opened under a read-only directory is read-only too, wherever it moves.
        try memory.writeUInt32(7, at: 100)
        policy.record("path_open", readOnlyOpen, errno: 0, memory: memory)
        #expect(policy.check("fd_write", arguments([7, 0, 0, 0])) == WASIReadOnlyPolicy.erofs)
        policy.record("fd_renumber", arguments([7, 9]), errno: 0, memory: memory)
        #expect(policy.check("fd_write", arguments([9, 0, 0, 0])) == WASIReadOnlyPolicy.erofs)
        #expect(policy.check("fd_write", arguments([7, 0, 0, 0])) == nil)
        policy.record("fd_close", arguments([9]), errno: 0, memory: memory)
        #expect(policy.check("fd_write", arguments([9, 0, 0, 0])) == nil)
    }

    @Test func pollSleepsAreRead() {
        let memory = TestMemory()
        // One relative clock subscription of 5 s at offset 0.
        memory.bytes[8] = 0
        let timeout: UInt64 = 5_000_000_000
        for index in 0..<8 { memory.bytes[24 + index] = UInt8(truncatingIfNeeded: timeout >> (8 * UInt64(index))) }
        #expect(WASIPoll.clockOnlyTimeout(arguments([0, 100, 1, 200]), in: memory) == timeout)
        memory.bytes[8] = 1  // an fd subscription: may end early, so no verdict
        #expect(WASIPoll.clockOnlyTimeout(arguments([0, 100, 1, 200]), in: memory) == nil)
    }
}
