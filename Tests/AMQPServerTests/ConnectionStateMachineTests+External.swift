import AMQPWire
import Broker
import Testing
import TLS

@testable import AMQPServer

/// SASL EXTERNAL (rabbitmq_auth_mechanism_ssl): offered only with a verified client certificate,
/// the certificate's name must be a known user, refusals are RabbitMQ's 403 with the reason logged.
@Suite struct ConnectionStateMachineExternalTests {
    static let external = ConnectionStartOk(mechanism: "EXTERNAL", response: [], locale: "en_US")
    static let refusal = "Login was refused using authentication mechanism EXTERNAL. For details see the broker logfile."

    var actions: [ConnectionAction] = []

    static func machine(_ certificate: PeerCertificateName, loopback: Bool = true) -> ConnectionStateMachine {
        var access = AccessControl.guestOnly()
        access.put(.withPassword("unused", name: "alice"))
        var machine = ConnectionStateMachine(access: AccessDirectory(access), peerIsLoopback: loopback)
        machine.peerCertificate = certificate
        return machine
    }

    static func mechanisms(_ machine: inout ConnectionStateMachine) -> String? {
        var actions: [ConnectionAction] = []
        machine.protocolHeaderReceived(accepted: true, into: &actions)
        guard case .send(.connectionStart(let start), 0)? = actions.first else { return nil }
        return String(decoding: start.mechanisms, as: UTF8.self)
    }

    mutating func startOk(_ machine: inout ConnectionStateMachine) -> [ConnectionAction] {
        actions.removeAll()
        machine.frameReceived(Frame(channel: 0, payload: .method(.connectionStartOk(Self.external))), into: &actions)
        return actions
    }

    static func close(_ actions: [ConnectionAction]) -> ConnectionClose? {
        for case .send(.connectionClose(let close), 0) in actions { return close }
        return nil
    }

    @Test func externalIsOfferedOnlyWithAVerifiedCertificate() {
        var plain = Self.machine(.noCertificate)
        #expect(Self.mechanisms(&plain) == "PLAIN AMQPLAIN")
        var named = Self.machine(.named("alice"))
        #expect(Self.mechanisms(&named) == "PLAIN AMQPLAIN EXTERNAL")
        var unnamed = Self.machine(.unnamed)
        #expect(Self.mechanisms(&unnamed) == "PLAIN AMQPLAIN EXTERNAL")
    }

    @Test mutating func theCertificateNameLogsInWithoutAPassword() {
        var machine = Self.machine(.named("alice"), loopback: false)
        _ = Self.mechanisms(&machine)
        #expect(Self.close(startOk(&machine)) == nil)
        #expect(machine.state == .awaitingTuneOk(user: "alice"))
    }

    @Test mutating func anUnknownNameIsRefusedWith403AndTheReasonIsLogged() {
        var machine = Self.machine(.named("mallory"))
        _ = Self.mechanisms(&machine)
        let result = startOk(&machine)
        #expect(Self.close(result)?.replyCode == 403)
        #expect(Self.close(result)?.replyText == "ACCESS_REFUSED - " + Self.refusal)
        #expect(result.contains(.loginRefused("EXTERNAL login refused: user 'mallory' - invalid credentials")))
    }

    @Test mutating func aCertificateWithoutTheConfiguredNameIsRefused() {
        var machine = Self.machine(.unnamed)
        _ = Self.mechanisms(&machine)
        let result = startOk(&machine)
        #expect(Self.close(result)?.replyCode == 403)
        #expect(result.contains(.loginRefused("EXTERNAL login refused: no name found")))
    }

    @Test mutating func externalWithoutACertificateIsAnUnknownMechanism() {
        var machine = Self.machine(.noCertificate)
        _ = Self.mechanisms(&machine)
        #expect(Self.close(startOk(&machine))?.replyCode == 503)
    }

    @Test mutating func guestStaysLoopbackOnlyThroughExternal() {
        var machine = Self.machine(.named("guest"), loopback: false)
        _ = Self.mechanisms(&machine)
        #expect(Self.close(startOk(&machine))?.replyCode == 403)
    }
}
