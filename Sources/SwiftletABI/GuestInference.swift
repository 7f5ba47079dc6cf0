import SwiftletBlocks

/// One request's use of models: tokens spent against the budget, open completion streams,
/// and the `wasi_ephemeral_nn` graphs and contexts. Lives on the request's ``GuestCall``, so
/// it all ends with the request.
public struct GuestInference {
    /// Prompt and completion tokens spent so far.
    public internal(set) var tokensUsed = 0
    var streams: [CompletionStream?] = []
    /// `wasi_ephemeral_nn` graphs: the conversation component each names.
    var graphs: [String] = []
    var contexts: [NeuralNetworkContext] = []

    /// Open streams and nn contexts a request may hold at once; each is small, but a guest
    /// must not make the host hold an unbounded number.
    static let maxHandles = 64

    public init() {}

    /// A handle for `stream`: a closed one's slot if there is one, so opening and closing in
    /// a loop does not grow the table.
    mutating func open(_ stream: CompletionStream) -> Int {
        if let free = streams.firstIndex(where: { $0 == nil }) {
            streams[free] = stream
            return free
        }
        streams.append(stream)
        return streams.count - 1
    }

    /// Counts an answer's tokens (or, when the model reports none, its words) against the
    /// budget.
    mutating func spend(_ usage: ConversationUsage?, text: String) {
        let tokens = usage.map { Int(clamping: $0.totalTokens) } ?? text.split(whereSeparator: { $0 == " " || $0 == "\n" }).count
        tokensUsed = tokensUsed.addingReportingOverflow(tokens).overflow ? Int.max : tokensUsed + tokens
    }
}

/// A completion the guest reads piece by piece.
final class CompletionStream: @unchecked Sendable {
    let reader: PieceReader
    /// Text received and not yet read by the guest.
    var pending: [UInt8] = []
    var finished = false
    var last: ConversationPiece?

    init(_ pieces: AsyncThrowingStream<ConversationPiece, any Error>) {
        reader = PieceReader(pieces)
    }
}

/// Holds a stream's iterator where the guest's blocking reads can await it one at a time.
actor PieceReader {
    private var iterator: AsyncThrowingStream<ConversationPiece, any Error>.AsyncIterator

    init(_ pieces: AsyncThrowingStream<ConversationPiece, any Error>) {
        iterator = pieces.makeAsyncIterator()
    }

    func next() async throws(BuildingBlockError) -> ConversationPiece? {
        var iterator = self.iterator
        defer { self.iterator = iterator }
        do {
            return try await iterator.next(isolation: self)
        } catch let error as BuildingBlockError {
            throw error
        } catch {
            throw BuildingBlockError(.unavailable, "the model's stream failed: \(error)")
        }
    }
}

/// A `wasi_ephemeral_nn` execution context: its graph, the prompt set as input 0, the
/// answer once computed.
struct NeuralNetworkContext {
    let graph: Int
    var prompt: [UInt8] = []
    var maxTokens: Int?
    var output: [UInt8]?
}
