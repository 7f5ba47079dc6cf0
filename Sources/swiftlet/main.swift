import SwiftletCLI

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

// Line-buffer stdout even when redirected, so output is not lost if the process is signalled.
setvbuf(stdout, nil, _IOLBF, 0)
exit(await CommandLineEntry.run(Array(CommandLine.arguments.dropFirst())))
