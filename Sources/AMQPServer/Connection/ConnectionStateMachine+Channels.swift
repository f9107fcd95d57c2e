import AMQPWire

/// Frames of an open connection: channel lifecycle, content assembly, and methods for the broker.
extension ConnectionStateMachine {
    mutating func openFrameReceived(_ frame: Frame, into actions: inout [ConnectionAction]) throws(AMQPError) {
        if frame.channel == 0 {
            try connectionFrameReceived(frame, into: &actions)
            return
        }
        guard let channel = channels[frame.channel] else {
            try unopenedChannelFrameReceived(frame, into: &actions)
            return
        }
        if channel.closing {
            closingChannelFrameReceived(frame, into: &actions)
            return
        }
        if channel.closingByClient { return }  // nothing more is read on a channel the client closed
        switch frame.payload {
        case .method(let method):
            try channelMethodReceived(method, on: frame.channel, into: &actions)
        case .header(let header):
            guard var assembly = channel.content else {
                throw AMQPError(.unexpectedFrame, "expected method frame, got non method frame instead")
            }
            guard header.bodySize <= limits.maxMessageSize else {
                refuseOversizedContent(header.bodySize, on: frame.channel, into: &actions)
                return
            }
            let step = try assembly.receive(header: header)
            finish(step, assembly: assembly, on: frame.channel, into: &actions)
        case .body(let body):
            guard var assembly = channel.content else {
                throw AMQPError(.unexpectedFrame, "expected method frame, got non method frame instead")
            }
            channels[frame.channel]?.content = nil  // keep the body buffer uniquely referenced while appending
            let step = try assembly.receive(body: body)
            finish(step, assembly: assembly, on: frame.channel, into: &actions)
        case .heartbeat:
            throw AMQPError(.unexpectedFrame, "heartbeat frame on channel \(frame.channel)")  // 505, as RabbitMQ
        }
    }

    private mutating func finish(_ step: ContentAssembly.Step, assembly: ContentAssembly, on channel: UInt16,
                                 into actions: inout [ConnectionAction]) {
        switch step {
        case .incomplete:
            channels[channel]?.content = assembly
        case .complete(let publish, let header, let body):
            channels[channel]?.content = nil
            actions.append(.publish(channel, publish, header, body))
        }
    }

    /// RabbitMQ's `max_message_size` check: the channel (not the connection) closes with 406, and
    /// the body frames that follow are dropped until close-ok, never buffered.
    private mutating func refuseOversizedContent(_ size: UInt64, on channel: UInt16, into actions: inout [ConnectionAction]) {
        // RabbitMQ says "configured" unless the limit is its ceiling.
        let kind = limits.maxMessageSize == ConnectionLimits.maxMessageSizeCeiling ? "max size" : "configured max size"
        let error = AMQPError(.preconditionFailed, "message size \(size) is larger than \(kind) \(limits.maxMessageSize)",
                              classID: 60, methodID: 40)
        closeChannel(channel, with: error, into: &actions)
        actions.append(.channelClosed(channel))  // the broker lets go of the channel now
    }

    private mutating func connectionFrameReceived(_ frame: Frame, into actions: inout [ConnectionAction]) throws(AMQPError) {
        guard case .method(let method) = frame.payload else {
            if case .heartbeat = frame.payload { return }
            throw AMQPError(.unexpectedFrame, "content frame on channel 0")
        }
        switch method {
        case .connectionClose:
            state = .closingByClient
            actions.append(.connectionCloseRequested)
        case .connectionUpdateSecret:
            actions.append(.send(.connectionUpdateSecretOk, channel: 0))
        case .connectionBlocked, .connectionUnblocked, .connectionCloseOk:
            throw AMQPError(.commandInvalid, "unexpected method \(method.name) from a client").caused(by: method)
        default:
            if method.classID == 10 {
                throw AMQPError(.commandInvalid, "unexpected method \(method.name) in connection state running").caused(by: method)
            }
            // RabbitMQ answers a channel method on channel 0 with CHANNEL_ERROR.
            throw AMQPError(.channelError, "unexpected method in connection state running").caused(by: method)
        }
    }

    private mutating func unopenedChannelFrameReceived(_ frame: Frame, into actions: inout [ConnectionAction]) throws(AMQPError) {
        guard case .method(let method) = frame.payload else {
            throw AMQPError(.unexpectedFrame, "expected method frame on channel \(frame.channel), got a content frame")
        }
        if case .channelCloseOk = method { return }  // answers a channel.close that crossed the client's own
        guard case .channelOpen = method else {
            throw AMQPError(.channelError, "expected 'channel.open'").caused(by: method)  // RabbitMQ's text
        }
        // As RabbitMQ: channel_max bounds the channels open at once, whatever their numbers.
        guard channels.count < Int(tuning.channelMax) else {
            throw AMQPError(.notAllowed, "number of channels opened (\(channels.count)) has reached the negotiated channel_max (\(tuning.channelMax))")
        }
        channels[frame.channel] = ChannelState()
        actions.append(.send(.channelOpenOk, channel: frame.channel))
        actions.append(.channelOpened(frame.channel))
    }

    /// After the server sent channel.close, everything but close and close-ok is dropped.
    private mutating func closingChannelFrameReceived(_ frame: Frame, into actions: inout [ConnectionAction]) {
        guard case .method(let method) = frame.payload else { return }
        switch method {
        case .channelCloseOk:
            channels[frame.channel] = nil
            actions.append(.channelClosed(frame.channel))
        case .channelClose:
            channels[frame.channel] = nil
            actions.append(.send(.channelCloseOk, channel: frame.channel))
            actions.append(.channelClosed(frame.channel))
        default:
            return
        }
    }

    private mutating func channelMethodReceived(_ method: AMQPMethod, on channel: UInt16,
                                                into actions: inout [ConnectionAction]) throws(AMQPError) {
        if let assembly = channels[channel]?.content {
            throw assembly.interruptedError
        }
        switch method {
        case .channelOpen:
            throw AMQPError(.channelError, "second 'channel.open' seen").caused(by: method)
        case .channelClose:
            channels[channel]?.closingByClient = true
            channels[channel]?.content = nil
            actions.append(.channelCloseRequested(channel))
        case .channelCloseOk:
            return  // a late answer to a close we no longer track
        case .channelFlow(let flow):
            guard flow.active else {
                throw AMQPError(.notImplemented, "active=false").caused(by: method)
            }
            actions.append(.send(.channelFlowOk(ChannelFlowOk(active: true)), channel: channel))
        case .basicPublish(let publish):
            if publish.immediate {
                throw AMQPError(.notImplemented, "immediate=true").caused(by: method)
            }
            channels[channel]?.content = ContentAssembly(publish: publish)
        default:
            if method.classID == 10 {
                throw AMQPError(.commandInvalid, "connection method \(method.name) on channel \(channel)").caused(by: method)
            }
            actions.append(.channelMethod(channel, method))
        }
    }
}
