import ArgumentParser
import Logging
import SwiftletTelemetry
import SwiftletCore

/// Configures swift-log once per process: text lines on stderr at the chosen level.
enum LoggingSetup {
    private static let done = Locked(false)

    static func bootstrap(level: Logger.Level) -> Logger {
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        if first {
            LoggingSystem.bootstrap(
                { label, provider in
                    var handler = StreamLogHandler.standardError(label: label, metadataProvider: provider)
                    handler.logLevel = level
                    return handler
                }, metadataProvider: Telemetry.logMetadataProvider)
        }
        var logger = Logger(label: "swiftlet")
        logger.logLevel = level
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
