import AMQPWire
import Broker

/// start-ok, tune-ok and open: authentication, tuning and the vhost check.
extension ConnectionStateMachine {
    mutating func handshakeFrameReceived(_ frame: Frame, into actions: inout [ConnectionAction]) throws(AMQPError) {
        guard case .method(let method) = frame.payload else {
            if case .heartbeat = frame.payload { return }
            throw AMQPError(.unexpectedFrame, "expected a method frame during the handshake")
        }
        guard frame.channel == 0 else {
            throw AMQPError(.commandInvalid, "unexpected method \(method.name) on channel \(frame.channel) during the handshake").caused(by: method)
        }
        switch (state, method) {
        case (.awaitingStartOk, .connectionStartOk(let startOk)):
            if case .table(let capabilities)? = startOk.clientProperties["capabilities"] {
                clientSupportsBlocked = capabilities["connection.blocked"]?.boolValue ?? false
                clientSupportsCancelNotify = capabilities["consumer_cancel_notify"]?.boolValue ?? false
            }
            try authenticate(startOk, into: &actions)
        case (.awaitingTuneOk(let user), .connectionTuneOk(let tuneOk)):
            try negotiate(tuneOk, into: &actions)
            state = .awaitingOpen(user: user)
        case (.awaitingOpen(let user), .connectionOpen(let open)):
            let current = access.current
            guard current.vhosts.contains(open.virtualHost) else {
                throw AMQPError(.notAllowed, "vhost \(open.virtualHost) not found").caused(by: method)
            }
            guard current.mayOpen(user: user, vhost: open.virtualHost) else {
                throw AMQPError(.notAllowed, "access to vhost '\(open.virtualHost)' refused for user '\(user)'").caused(by: method)
            }
            // The connection limits (node and vhost) are the handler's to count: it answers with admitted(…).
            actions.append(.admissionRequested(vhost: open.virtualHost, user: user))
        case (_, .connectionClose):
            state = .closed
            actions.append(.send(.connectionCloseOk, channel: 0))
            actions.append(.closeSocket)
        default:
            throw AMQPError(.commandInvalid, "unexpected method \(method.name) during the handshake").caused(by: method)
        }
    }

    /// The answer to `.admissionRequested`: nil opens the connection, an error (530, a connection
    /// limit reached) closes it.
    mutating func admitted(vhost: String, user: String, refusal: AMQPError?, into actions: inout [ConnectionAction]) {
        guard state == .awaitingOpen(user: user) else { return }
        if let refusal {
            fail(refusal, into: &actions)
            return
        }
        state = .open(vhost: vhost, user: user)
        actions.append(.send(.connectionOpenOk, channel: 0))
        actions.append(.opened(vhost: vhost, user: user))
    }

    private mutating func authenticate(_ startOk: ConnectionStartOk, into actions: inout [ConnectionAction]) throws(AMQPError) {
        guard offeredMechanisms.split(separator: " ").contains(Substring(startOk.mechanism)) else {
            throw AMQPError(.commandInvalid, "unknown authentication mechanism '\(startOk.mechanism)'")
        }
        let user = startOk.mechanism == ExternalLogin.mechanism
            ? try authenticateExternal(into: &actions) : try authenticatePassword(startOk)
        state = .awaitingTuneOk(user: user.name)
        actions.append(.send(.connectionTune(ConnectionTune(channelMax: tuning.channelMax, frameMax: tuning.frameMax,
                                                            heartbeat: tuning.heartbeat)), channel: 0))
    }

    private func authenticateExternal(into actions: inout [ConnectionAction]) throws(AMQPError) -> UserAccount {
        switch ExternalLogin.authenticate(peerCertificate, access: access.current, fromLoopback: peerIsLoopback) {
        case .success(let user):
            return user
        case .failure(let refusal):
            actions.append(.loginRefused("\(ExternalLogin.mechanism) login refused: \(refusal.reason)"))
            throw Self.loginRefused(mechanism: ExternalLogin.mechanism)
        }
    }

    private func authenticatePassword(_ startOk: ConnectionStartOk) throws(AMQPError) -> UserAccount {
        guard let credentials = SASLCredentials(mechanism: startOk.mechanism, response: startOk.response),
              let user = Authenticator.authenticate(access.current, username: credentials.username,
                                                    password: credentials.password, fromLoopback: peerIsLoopback)
        else {
            throw Self.loginRefused(mechanism: startOk.mechanism)
        }
        return user
    }

    /// RabbitMQ's 403 for a refused login (with `authentication_failure_close`); the reason goes to the log only.
    private static func loginRefused(mechanism: String) -> AMQPError {
        AMQPError(.accessRefused, "Login was refused using authentication mechanism \(mechanism). For details see the broker logfile.")
    }

    /// Applies the client's tune-ok as RabbitMQ does: zero means "the server's maximum",
    /// values above the server's maximum (or a frame_max below 4096) are refused with 530.
    private mutating func negotiate(_ tuneOk: ConnectionTuneOk, into actions: inout [ConnectionAction]) throws(AMQPError) {
        let channelMax = tuneOk.channelMax == 0 ? tuning.channelMax : tuneOk.channelMax
        guard channelMax <= tuning.channelMax else {
            throw AMQPError(.notAllowed, "negotiated channel_max = \(channelMax) is higher than the maximum allowed value (\(tuning.channelMax))")
        }
        let frameMax = tuneOk.frameMax == 0 ? tuning.frameMax : tuneOk.frameMax
        guard frameMax >= Frame.minimumSize else {
            throw AMQPError(.notAllowed, "negotiated frame_max = \(frameMax) is lower than the minimum allowed value (\(Frame.minimumSize))")
        }
        guard frameMax <= tuning.frameMax else {
            throw AMQPError(.notAllowed, "negotiated frame_max = \(frameMax) is higher than the maximum allowed value (\(tuning.frameMax))")
        }
        tuning = Tuning(channelMax: channelMax, frameMax: frameMax, heartbeat: tuneOk.heartbeat)
        actions.append(.tuned(tuning))
    }
}
