import SwiftletCore
import SwiftletABI

/// What a component answers: a whole response, or a head whose body streams in because
/// the guest called `resp_flush`.
public enum GuestReply: Sendable {
    case complete(GuestResponse)
    case streaming(status: Int, headers: HeaderList, body: AsyncThrowingStream<[UInt8], any Error>)
}

extension GuestReply {
    /// The whole response, a streamed body read to its end (for callers that need it
    /// whole: event deliveries, invocations, tool calls).
    public func collected() async throws -> GuestResponse {
        switch self {
        case .complete(let response):
            return response
        case .streaming(let status, let headers, let body):
            var bytes: [UInt8] = []
            for try await chunk in body { bytes += chunk }
            return GuestResponse(status: status, headers: headers, body: bytes)
        }
    }
}

/// Joins the worker running a guest with the task waiting for its reply: resumed once,
/// either by a streamed head or by the end of the call.
///
/// Only the worker thread calls into it, in order, so its flag needs no lock.
final class ReplyRendezvous: ResponseStreamSink, @unchecked Sendable {
    private let continuation: UnsafeContinuation<Result<GuestReply, GuestFailure>, Never>
    private var body: AsyncThrowingStream<[UInt8], any Error>.Continuation?
    private var resumed = false

    init(_ continuation: UnsafeContinuation<Result<GuestReply, GuestFailure>, Never>) {
        self.continuation = continuation
    }

    func head(status: Int, headers: HeaderList) {
        let (stream, body) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        self.body = body
        resume(.success(.streaming(status: status, headers: headers, body: stream)))
    }

    func chunk(_ bytes: [UInt8]) {
        body?.yield(bytes)
    }

    func finish(error: (any Error)?) {
        body?.finish(throwing: error)
        body = nil
    }

    /// Ends the call: resumes the waiter if nothing was streamed, else closes the stream.
    func complete(_ result: Result<GuestResponse, GuestFailure>) {
        if body != nil {
            switch result {
            case .success(let response):
                if !response.body.isEmpty { chunk(response.body) }
                finish(error: nil)
            case .failure(let failure):
                finish(error: failure)
            }
            return
        }
        resume(result.map { .complete($0) })
    }

    private func resume(_ result: Result<GuestReply, GuestFailure>) {
        guard !resumed else { return }
        resumed = true
        continuation.resume(returning: result)
    }
}
