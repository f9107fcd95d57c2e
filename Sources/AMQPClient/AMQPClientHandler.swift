import AMQPWire
import NIOCore

/// The client's side of one connection: handshake, channel calls, content assembly, consumers.
/// Everything here runs on the connection's event loop.
final class AMQPClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let url: AMQPURL
    private let heartbeat: UInt16
    private var reader = FrameReader(decoder: FrameDecoder(expectProtocolHeader: false, frameMax: 0))
    private(set) var output = ByteBuffer()
    private var context: ChannelHandlerContext?
    let ready: EventLoopPromise<Void>
    private(set) var frameMax: UInt32 = 131_072
    var channels: [UInt16: ClientChannelState] = [:]
    /// Called when the server closes a channel (or the connection goes), for waiters that are not calls.
    var channelFailureHook: [UInt16: (AMQPClientError) -> Void] = [:]
    /// connection.blocked (with its reason) and connection.unblocked (nil), on the event loop.
    var onBlocked: ((String?) -> Void)?
    private var nextChannel: UInt16 = 1
    private(set) var failure: AMQPClientError?
    private var isReady = false
    private var closePromise: EventLoopPromise<Void>?
    /// Called once when the socket takes writes again after `isWritable` was false (a publisher
    /// that holds back instead of growing NIO's outbound buffer without end).
    var onWritable: (() -> Void)?

    /// Whether the socket's outbound buffer is below NIO's high-water mark.
    var isWritable: Bool { context?.channel.isWritable ?? false }

    init(url: AMQPURL, heartbeat: UInt16, ready: EventLoopPromise<Void>) {
        self.url = url
        self.heartbeat = heartbeat
        self.ready = ready
    }

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        output = context.channel.allocator.buffer(capacity: 4096)
        output.writeBytes(ProtocolHeader.bytes)
        flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(failure ?? .connectionLost)
        closePromise?.succeed()
        self.context = nil
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        guard context.channel.isWritable, let waiting = onWritable else { return }
        onWritable = nil
        waiting()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(.unexpected("\(error)"))
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        reader.append(unwrapInboundIn(data))
        while true {
            let unit: InboundUnit?
            do {
                unit = try reader.next()
            } catch {
                reader.discard()
                fail(.unexpected("undecodable frame: \(error)"))
                context.close(promise: nil)
                return
            }
            guard case .frame(let frame)? = unit else { break }
            handle(frame)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flush()
    }

    // MARK: sending

    func write(_ method: AMQPMethod, channel: UInt16) {
        output.writeMethodFrame(method, channel: channel)
    }

    func writePublish(channel: UInt16, exchange: String, routingKey: String, header: ContentHeader, body: ByteBuffer, mandatory: Bool) {
        output.writeMethodFrame(.basicPublish(BasicPublish(exchange: exchange, routingKey: routingKey, mandatory: mandatory)), channel: channel)
        output.writeContentHeaderFrame(header, channel: channel)
        output.writeBodyFrames(body, channel: channel, frameMax: frameMax)
    }

    func flush() {
        guard let context, output.readableBytes > 0 else { return }
        context.writeAndFlush(wrapOutboundOut(output), promise: nil)
        output = context.channel.allocator.buffer(capacity: 4096)
    }

    /// Sends a synchronous method and returns the future of its reply.
    func call(_ method: AMQPMethod, channel: UInt16, eventLoop: any EventLoop) -> EventLoopFuture<Reply> {
        if let failure { return eventLoop.makeFailedFuture(failure) }
        guard let state = channels[channel] else { return eventLoop.makeFailedFuture(AMQPClientError.unexpected("channel \(channel) is closed")) }
        let promise = eventLoop.makePromise(of: Reply.self)
        state.pendingCalls.append(promise)
        write(method, channel: channel)
        flush()
        return promise.futureResult
    }

    func openChannel(eventLoop: any EventLoop) -> EventLoopFuture<UInt16> {
        var number = nextChannel
        while channels[number] != nil { number = number == UInt16.max ? 1 : number + 1 }
        nextChannel = number == UInt16.max ? 1 : number + 1
        let chosen = number
        channels[chosen] = ClientChannelState()
        return call(.channelOpen, channel: chosen, eventLoop: eventLoop).map { _ in chosen }
    }

    func close(eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        guard let context, failure == nil else { return eventLoop.makeSucceededVoidFuture() }
        let promise = eventLoop.makePromise(of: Void.self)
        closePromise = promise
        write(.connectionClose(ConnectionClose(replyCode: 200, replyText: "Goodbye")), channel: 0)
        flush()
        _ = context
        return promise.futureResult
    }

    // MARK: receiving

    private func handle(_ frame: Frame) {
        switch frame.payload {
        case .method(let method):
            if frame.channel == 0 { handleConnection(method) } else { handle(method, on: frame.channel) }
        case .header(let header):
            guard let state = channels[frame.channel], var incoming = state.incoming else { return }
            incoming.header = header
            state.incoming = incoming
            if header.bodySize == 0 { completeContent(on: frame.channel) }
        case .body(var body):
            guard let state = channels[frame.channel], var incoming = state.incoming, let header = incoming.header else { return }
            state.incoming = nil
            incoming.body.writeBuffer(&body)
            state.incoming = incoming
            if UInt64(incoming.body.readableBytes) >= header.bodySize { completeContent(on: frame.channel) }
        case .heartbeat:
            output.writeHeartbeatFrame()
        }
    }

    private func handleConnection(_ method: AMQPMethod) {
        switch method {
        case .connectionStart:
            // EXTERNAL: the server takes the name from the client certificate; the response is empty.
            let response = url.authMechanism == "EXTERNAL" ? [] : Array("\0\(url.user)\0\(url.password)".utf8)
            let properties: FieldTable = ["product": "warren-client", "capabilities": .table([
                "publisher_confirms": true, "consumer_cancel_notify": true, "basic.nack": true,
                "connection.blocked": true, "authentication_failure_close": true,
            ])]
            write(.connectionStartOk(ConnectionStartOk(clientProperties: properties, mechanism: url.authMechanism, response: response, locale: "en_US")), channel: 0)
        case .connectionTune(let tune):
            frameMax = tune.frameMax == 0 ? 131_072 : tune.frameMax
            write(.connectionTuneOk(ConnectionTuneOk(channelMax: tune.channelMax, frameMax: frameMax, heartbeat: heartbeat)), channel: 0)
            write(.connectionOpen(ConnectionOpen(virtualHost: url.vhost)), channel: 0)
        case .connectionOpenOk:
            isReady = true
            ready.succeed()
        case .connectionClose(let close):
            write(.connectionCloseOk, channel: 0)
            flush()
            fail(.closed(code: close.replyCode, text: close.replyText))
            context?.close(promise: nil)
        case .connectionCloseOk:
            context?.close(promise: nil)
        case .connectionBlocked(let blocked):
            onBlocked?(blocked.reason)
        case .connectionUnblocked:
            onBlocked?(nil)
        default:
            break
        }
    }

    private func handle(_ method: AMQPMethod, on channel: UInt16) {
        guard let state = channels[channel] else { return }
        switch method {
        case .basicDeliver, .basicGetOk, .basicReturn:
            state.incoming = (method, nil, ByteBuffer())
        case .basicAck(let ack):
            state.onConfirm?(ack.deliveryTag, ack.multiple, true)
        case .basicNack(let nack):
            state.onConfirm?(nack.deliveryTag, nack.multiple, false)
        case .basicCancel(let cancel):
            state.consumers[cancel.consumerTag] = nil
            state.onCancel.removeValue(forKey: cancel.consumerTag)?()
        case .channelClose(let close):
            write(.channelCloseOk, channel: channel)
            channels[channel] = nil
            let error = AMQPClientError.closed(code: close.replyCode, text: close.replyText)
            while let call = state.pendingCalls.popFirst() { call.fail(error) }
            channelFailureHook.removeValue(forKey: channel)?(error)
        case .channelCloseOk:
            channels[channel] = nil
            state.pendingCalls.popFirst()?.succeed(Reply(method: method, delivery: nil))
        default:
            state.pendingCalls.popFirst()?.succeed(Reply(method: method, delivery: nil))
        }
    }

    private func completeContent(on channel: UInt16) {
        guard let state = channels[channel], let incoming = state.incoming, let header = incoming.header else { return }
        state.incoming = nil
        switch incoming.method {
        case .basicDeliver(let deliver):
            let delivery = Delivery(consumerTag: deliver.consumerTag, deliveryTag: deliver.deliveryTag, redelivered: deliver.redelivered,
                                    exchange: deliver.exchange, routingKey: deliver.routingKey, header: header, body: incoming.body)
            state.consumers[deliver.consumerTag]?(delivery)
        case .basicGetOk(let getOk):
            let delivery = Delivery(consumerTag: "", deliveryTag: getOk.deliveryTag, redelivered: getOk.redelivered,
                                    exchange: getOk.exchange, routingKey: getOk.routingKey, header: header, body: incoming.body)
            state.pendingCalls.popFirst()?.succeed(Reply(method: incoming.method, delivery: delivery))
        case .basicReturn(let returned):
            state.onReturn?(Delivery(consumerTag: "", deliveryTag: 0, redelivered: false, exchange: returned.exchange,
                                     routingKey: returned.routingKey, header: header, body: incoming.body))
        default:
            break
        }
    }

    private func fail(_ error: AMQPClientError) {
        if failure == nil { failure = error }
        if !isReady {
            isReady = true
            ready.fail(error)
        }
        for state in channels.values {
            while let call = state.pendingCalls.popFirst() { call.fail(error) }
        }
        channels.removeAll()
        let hooks = channelFailureHook
        channelFailureHook.removeAll()
        for hook in hooks.values { hook(error) }
    }
}
