import AMQPWire
import NIOCore

/// Collects the content header and body frames that follow a basic.publish on one channel.
struct ContentAssembly {
    enum Step {
        /// Still waiting for more frames.
        case incomplete
        /// The message is complete.
        case complete(BasicPublish, ContentHeader, ByteBuffer)
    }

    /// Up to this size a body that arrives in pieces gets its whole capacity at its first piece;
    /// a larger one grows as its bytes arrive, so a header announcing a large body reserves no
    /// more than this before the body is sent.
    static let reservationLimit = 1 << 20

    private let publish: BasicPublish
    private var header: ContentHeader?
    /// The pieces received so far, gathered; nil until a second piece is needed.
    private var body: ByteBuffer?

    /// Bytes held for a body being gathered from pieces.
    var reservedBytes: Int { body?.storageCapacity ?? 0 }

    init(publish: BasicPublish) {
        self.publish = publish
    }

    /// Takes the content header (its size already checked against `max_message_size`); a zero-size
    /// body completes the message at once.
    mutating func receive(header: ContentHeader) throws(AMQPError) -> Step {
        guard self.header == nil else {
            throw AMQPError(.unexpectedFrame, "expected content body, got content header")
        }
        guard header.classID == 60 else {
            throw AMQPError(.unexpectedFrame, "expected content header for class 60, got one for class \(header.classID) instead",
                            classID: 60, methodID: 40)
        }
        self.header = header
        return header.bodySize == 0 ? .complete(publish, header, ByteBuffer()) : .incomplete
    }

    /// Takes a piece of the body (a body frame, or part of one); the message is complete when the
    /// header's body size is reached. A body that arrives in one piece is kept as the slice it
    /// arrived in; one in several pieces is copied once, into a buffer reserved for its size.
    mutating func receive(body piece: ByteBuffer) throws(AMQPError) -> Step {
        guard let header else {
            throw AMQPError(.unexpectedFrame, "expected content header for class 60, got content body")
        }
        let received = UInt64(body?.readableBytes ?? 0) + UInt64(piece.readableBytes)
        if received > header.bodySize {
            throw AMQPError(.unexpectedFrame, "content body of \(received) bytes exceeds the \(header.bodySize) announced in its header")
        }
        if body == nil, received == header.bodySize { return .complete(publish, header, piece) }
        var gathered = body.take() ?? Self.reserve(header.bodySize)
        gathered.writeImmutableBuffer(piece)
        guard received == header.bodySize else {
            body = gathered
            return .incomplete
        }
        return .complete(publish, header, gathered)
    }

    private static func reserve(_ bodySize: UInt64) -> ByteBuffer {
        ByteBufferAllocator().buffer(capacity: Int(min(bodySize, UInt64(reservationLimit))))
    }

    /// The error for a method frame that arrived while content was expected; like RabbitMQ, it names
    /// basic.publish (the method whose content was cut), not the method that interrupted it.
    var interruptedError: AMQPError {
        header == nil
            ? AMQPError(.unexpectedFrame, "expected content header for class 60, got non content header frame instead",
                        classID: 60, methodID: 40)
            : AMQPError(.unexpectedFrame, "expected content body, got non content body frame instead", classID: 60, methodID: 40)
    }
}
