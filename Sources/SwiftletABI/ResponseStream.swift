import SwiftletCore

/// Receives a response that a guest streams with `resp_flush`.
///
/// The first `head` commits status and headers; each `chunk` follows in order; `finish`
/// ends the body (with an error when the guest failed after committing, which a trigger
/// can only report by cutting the stream). Calls come from the worker thread running the
/// guest, never concurrently.
public protocol ResponseStreamSink: Sendable {
    func head(status: Int, headers: HeaderList)
    func chunk(_ bytes: [UInt8])
    func finish(error: (any Error)?)
}
