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

    private let publish: BasicPublish
    private var header: ContentHeader?
    private var body = ByteBuffer()
    private var receivedAnyBody = false

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

    /// Takes one body frame; the message is complete when the header's body size is reached.
    mutating func receive(body piece: ByteBuffer) throws(AMQPError) -> Step {
        guard let header else {
            throw AMQPError(.unexpectedFrame, "expected content header for class 60, got content body")
        }
        if receivedAnyBody {
            var piece = piece
            body.writeBuffer(&piece)
        } else {
            body = piece  // a single body frame is kept as the slice it arrived in
            receivedAnyBody = true
        }
        let received = UInt64(body.readableBytes)
        if received > header.bodySize {
            throw AMQPError(.unexpectedFrame, "content body of \(received) bytes exceeds the \(header.bodySize) announced in its header")
        }
        return received == header.bodySize ? .complete(publish, header, body) : .incomplete
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
