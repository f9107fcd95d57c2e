@testable import AMQPWire
import NIOCore
import PropertyBased
import Testing
import TestSupport

/// The identity of a method as written in amqp0-9-1.extended.xml (RabbitMQ's spec with its extensions).
/// The switch has no default, so a method added to `AMQPMethod` without an entry here stops the tests compiling.
func specIdentity(of method: AMQPMethod) -> (name: String, classID: UInt16, methodID: UInt16) {
    switch method {
    case .connectionStart: ("connection.start", 10, 10)
    case .connectionStartOk: ("connection.start-ok", 10, 11)
    case .connectionSecure: ("connection.secure", 10, 20)
    case .connectionSecureOk: ("connection.secure-ok", 10, 21)
    case .connectionTune: ("connection.tune", 10, 30)
    case .connectionTuneOk: ("connection.tune-ok", 10, 31)
    case .connectionOpen: ("connection.open", 10, 40)
    case .connectionOpenOk: ("connection.open-ok", 10, 41)
    case .connectionClose: ("connection.close", 10, 50)
    case .connectionCloseOk: ("connection.close-ok", 10, 51)
    case .connectionBlocked: ("connection.blocked", 10, 60)
    case .connectionUnblocked: ("connection.unblocked", 10, 61)
    case .connectionUpdateSecret: ("connection.update-secret", 10, 70)
    case .connectionUpdateSecretOk: ("connection.update-secret-ok", 10, 71)
    case .channelOpen: ("channel.open", 20, 10)
    case .channelOpenOk: ("channel.open-ok", 20, 11)
    case .channelFlow: ("channel.flow", 20, 20)
    case .channelFlowOk: ("channel.flow-ok", 20, 21)
    case .channelClose: ("channel.close", 20, 40)
    case .channelCloseOk: ("channel.close-ok", 20, 41)
    case .exchangeDeclare: ("exchange.declare", 40, 10)
    case .exchangeDeclareOk: ("exchange.declare-ok", 40, 11)
    case .exchangeDelete: ("exchange.delete", 40, 20)
    case .exchangeDeleteOk: ("exchange.delete-ok", 40, 21)
    case .exchangeBind: ("exchange.bind", 40, 30)
    case .exchangeBindOk: ("exchange.bind-ok", 40, 31)
    case .exchangeUnbind: ("exchange.unbind", 40, 40)
    case .exchangeUnbindOk: ("exchange.unbind-ok", 40, 51)
    case .queueDeclare: ("queue.declare", 50, 10)
    case .queueDeclareOk: ("queue.declare-ok", 50, 11)
    case .queueBind: ("queue.bind", 50, 20)
    case .queueBindOk: ("queue.bind-ok", 50, 21)
    case .queuePurge: ("queue.purge", 50, 30)
    case .queuePurgeOk: ("queue.purge-ok", 50, 31)
    case .queueDelete: ("queue.delete", 50, 40)
    case .queueDeleteOk: ("queue.delete-ok", 50, 41)
    case .queueUnbind: ("queue.unbind", 50, 50)
    case .queueUnbindOk: ("queue.unbind-ok", 50, 51)
    case .basicQos: ("basic.qos", 60, 10)
    case .basicQosOk: ("basic.qos-ok", 60, 11)
    case .basicConsume: ("basic.consume", 60, 20)
    case .basicConsumeOk: ("basic.consume-ok", 60, 21)
    case .basicCancel: ("basic.cancel", 60, 30)
    case .basicCancelOk: ("basic.cancel-ok", 60, 31)
    case .basicPublish: ("basic.publish", 60, 40)
    case .basicReturn: ("basic.return", 60, 50)
    case .basicDeliver: ("basic.deliver", 60, 60)
    case .basicGet: ("basic.get", 60, 70)
    case .basicGetOk: ("basic.get-ok", 60, 71)
    case .basicGetEmpty: ("basic.get-empty", 60, 72)
    case .basicAck: ("basic.ack", 60, 80)
    case .basicReject: ("basic.reject", 60, 90)
    case .basicRecoverAsync: ("basic.recover-async", 60, 100)
    case .basicRecover: ("basic.recover", 60, 110)
    case .basicRecoverOk: ("basic.recover-ok", 60, 111)
    case .basicNack: ("basic.nack", 60, 120)
    case .txSelect: ("tx.select", 90, 10)
    case .txSelectOk: ("tx.select-ok", 90, 11)
    case .txCommit: ("tx.commit", 90, 20)
    case .txCommitOk: ("tx.commit-ok", 90, 21)
    case .txRollback: ("tx.rollback", 90, 30)
    case .txRollbackOk: ("tx.rollback-ok", 90, 31)
    case .confirmSelect: ("confirm.select", 85, 10)
    case .confirmSelectOk: ("confirm.select-ok", 85, 11)
    }
}

/// One instance of every method, with default arguments.
let allMethodSamples: [AMQPMethod] = [
    .connectionStart(ConnectionStart()), .connectionStartOk(ConnectionStartOk()), .connectionSecure(ConnectionSecure()),
    .connectionSecureOk(ConnectionSecureOk()), .connectionTune(ConnectionTune()), .connectionTuneOk(ConnectionTuneOk()),
    .connectionOpen(ConnectionOpen()), .connectionOpenOk, .connectionClose(ConnectionClose()), .connectionCloseOk,
    .connectionBlocked(ConnectionBlocked()), .connectionUnblocked, .connectionUpdateSecret(ConnectionUpdateSecret()),
    .connectionUpdateSecretOk,
    .channelOpen, .channelOpenOk, .channelFlow(ChannelFlow()), .channelFlowOk(ChannelFlowOk()), .channelClose(ChannelClose()),
    .channelCloseOk,
    .exchangeDeclare(ExchangeDeclare()), .exchangeDeclareOk, .exchangeDelete(ExchangeDelete()), .exchangeDeleteOk,
    .exchangeBind(ExchangeBind()), .exchangeBindOk, .exchangeUnbind(ExchangeUnbind()), .exchangeUnbindOk,
    .queueDeclare(QueueDeclare()), .queueDeclareOk(QueueDeclareOk()), .queueBind(QueueBind()), .queueBindOk,
    .queueUnbind(QueueUnbind()), .queueUnbindOk, .queuePurge(QueuePurge()), .queuePurgeOk(QueuePurgeOk()),
    .queueDelete(QueueDelete()), .queueDeleteOk(QueueDeleteOk()),
    .basicQos(BasicQos()), .basicQosOk, .basicConsume(BasicConsume()), .basicConsumeOk(BasicConsumeOk()),
    .basicCancel(BasicCancel()), .basicCancelOk(BasicCancelOk()), .basicPublish(BasicPublish()), .basicReturn(BasicReturn()),
    .basicDeliver(BasicDeliver()), .basicGet(BasicGet()), .basicGetOk(BasicGetOk()), .basicGetEmpty, .basicAck(BasicAck()),
    .basicReject(BasicReject()), .basicRecoverAsync(BasicRecoverAsync()), .basicRecover(BasicRecover()), .basicRecoverOk,
    .basicNack(BasicNack()),
    .txSelect, .txSelectOk, .txCommit, .txCommitOk, .txRollback, .txRollbackOk,
    .confirmSelect(ConfirmSelect()), .confirmSelectOk,
]

/// Writes `method` as a method frame, decodes it with a fresh FrameDecoder and checks it comes back unchanged.
func expectMethodRoundTrip(_ method: AMQPMethod, channel: UInt16, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let bytes = encodedMethodFrame(method, channel: channel)
    // Frame header: type 1, the channel, a size matching the payload, and the method's ids first in the payload.
    #expect(Array(bytes.prefix(3)) == [0x01] + be16(channel), sourceLocation: sourceLocation)
    #expect(Array(bytes[3..<7]) == be32(UInt32(bytes.count - 8)), sourceLocation: sourceLocation)
    #expect(Array(bytes[7..<11]) == be16(method.classID) + be16(method.methodID), sourceLocation: sourceLocation)
    #expect(bytes.last == 0xCE, sourceLocation: sourceLocation)

    let frame = try decodeOneFrame(bytes, sourceLocation: sourceLocation)
    #expect(frame == Frame(channel: channel, payload: .method(method)), sourceLocation: sourceLocation)
    #expect(encodedMethodFrame(try #require(frame.method), channel: channel) == bytes, "re-encoding differs", sourceLocation: sourceLocation)
}

extension Frame {
    var method: AMQPMethod? { if case .method(let method) = payload { method } else { nil } }
}

/// Method ids, names and round trips of all 64 methods.
@Suite struct MethodRoundTripTests {
    // MARK: The method table

    @Test func thereAreSixtyFourDistinctMethodsWithTheSpecNumbers() {
        #expect(allMethodSamples.count == 64)
        #expect(Set(allMethodSamples.map(\.name)).count == 64)
        let ids = allMethodSamples.map { UInt32($0.classID) << 16 | UInt32($0.methodID) }
        #expect(Set(ids).count == 64, "every (class, method) pair is distinct")

        for method in allMethodSamples {
            let spec = specIdentity(of: method)
            #expect(method.name == spec.name)
            #expect(method.classID == spec.classID, "\(spec.name)")
            #expect(method.methodID == spec.methodID, "\(spec.name)")
            #expect(AMQPMethod.name(classID: spec.classID, methodID: spec.methodID) == spec.name)
        }
    }

    @Test(arguments: [
        ("basic.publish", UInt16(60), UInt16(40)),
        ("confirm.select", 85, 10),
        ("connection.blocked", 10, 60),
        ("connection.update-secret", 10, 70),
        ("exchange.unbind-ok", 40, 51),
        ("queue.unbind", 50, 50),
        ("basic.nack", 60, 120),
        ("tx.rollback-ok", 90, 31),
    ])
    func spotCheckMethodNumbers(name: String, classID: UInt16, methodID: UInt16) throws {
        let method = try #require(allMethodSamples.first { $0.name == name })
        #expect(method.classID == classID)
        #expect(method.methodID == methodID)
        #expect(AMQPMethod.name(classID: classID, methodID: methodID) == name)
    }

    @Test func idsThatNameNoMethodHaveNoName() {
        let known = Set(allMethodSamples.map { UInt32($0.classID) << 16 | UInt32($0.methodID) })
        var unknownCount = 0
        for classID in UInt16(0)...100 {
            for methodID in UInt16(0)...130 where !known.contains(UInt32(classID) << 16 | UInt32(methodID)) {
                #expect(AMQPMethod.name(classID: classID, methodID: methodID) == nil)
                unknownCount += 1
            }
        }
        #expect(unknownCount == 101 * 131 - 64)
    }

    @Test func onlyPublishReturnDeliverAndGetOkCarryContent() {
        let carrying = Set(allMethodSamples.filter(\.carriesContent).map(\.name))
        #expect(carrying == ["basic.publish", "basic.return", "basic.deliver", "basic.get-ok"])
    }

    // MARK: Round trips of every method

    @Test(arguments: allMethodSamples)
    func everyMethodRoundTripsWithDefaultArguments(method: AMQPMethod) throws {
        try expectMethodRoundTrip(method, channel: 0)
        try expectMethodRoundTrip(method, channel: 65535)
    }

    @Test func randomGeneratorCoversEveryMethod() {
        var rng = SeededGenerator(seed: 1)
        let names = Set((0..<Random.methodCaseCount).map { Random.method(&rng, caseIndex: $0).name })
        #expect(names == Set(allMethodSamples.map(\.name)))
    }

    @Test func everyMethodRoundTripsWithRandomArguments() async {
        await propertyCheck(count: 1000, input: Gen.method, Gen<UInt16>.value()) { method, channel in
            try expectMethodRoundTrip(method, channel: channel)
        }
    }

    // MARK: Property-based round trips of the methods that matter most

    @Test func basicPublishRoundTrips() async {
        await propertyCheck(input: Gen.shortString, Gen.shortString, Gen.bool, Gen.bool, Gen<UInt16>.value()) { exchange, routingKey, mandatory, immediate, channel in
            try expectMethodRoundTrip(.basicPublish(BasicPublish(exchange: exchange, routingKey: routingKey, mandatory: mandatory, immediate: immediate)), channel: channel)
        }
    }

    @Test func basicDeliverRoundTrips() async {
        await propertyCheck(input: Gen.shortString, Gen<UInt64>.value(), Gen.bool, Gen.shortString, Gen.shortString) { tag, deliveryTag, redelivered, exchange, routingKey in
            try expectMethodRoundTrip(.basicDeliver(BasicDeliver(consumerTag: tag, deliveryTag: deliveryTag, redelivered: redelivered, exchange: exchange, routingKey: routingKey)), channel: 1)
        }
    }

    @Test func queueDeclareRoundTrips() async {
        await propertyCheck(input: Gen.shortString, Gen<UInt8>.value(in: 0...31), Gen.fieldTable) { queue, flags, arguments in
            let declare = QueueDeclare(queue: queue, passive: flags & 1 != 0, durable: flags & 2 != 0, exclusive: flags & 4 != 0, autoDelete: flags & 8 != 0, noWait: flags & 16 != 0, arguments: arguments)
            try expectMethodRoundTrip(.queueDeclare(declare), channel: 7)
        }
    }

    @Test func exchangeDeclareRoundTrips() async {
        await propertyCheck(input: Gen.shortString, Gen.shortString, Gen<UInt8>.value(in: 0...31), Gen.fieldTable) { exchange, type, flags, arguments in
            let declare = ExchangeDeclare(exchange: exchange, type: type, passive: flags & 1 != 0, durable: flags & 2 != 0, autoDelete: flags & 4 != 0, internal: flags & 8 != 0, noWait: flags & 16 != 0, arguments: arguments)
            try expectMethodRoundTrip(.exchangeDeclare(declare), channel: 7)
        }
    }

    @Test func connectionStartRoundTrips() async {
        let bytes = Gen<UInt8>.value().array(of: 0...40)
        await propertyCheck(input: Gen<UInt8>.value(), Gen<UInt8>.value(), Gen.fieldTable, bytes, bytes) { major, minor, properties, mechanisms, locales in
            try expectMethodRoundTrip(.connectionStart(ConnectionStart(versionMajor: major, versionMinor: minor, serverProperties: properties, mechanisms: mechanisms, locales: locales)), channel: 0)
        }
    }

    @Test func connectionStartOkRoundTrips() async {
        await propertyCheck(input: Gen.fieldTable, Gen.shortString, Gen<UInt8>.value().array(of: 0...300), Gen.shortString) { properties, mechanism, response, locale in
            try expectMethodRoundTrip(.connectionStartOk(ConnectionStartOk(clientProperties: properties, mechanism: mechanism, response: response, locale: locale)), channel: 0)
        }
    }

    @Test func connectionTuneAndTuneOkRoundTrip() async {
        await propertyCheck(input: Gen<UInt16>.value(), Gen<UInt32>.value(), Gen<UInt16>.value()) { channelMax, frameMax, heartbeat in
            try expectMethodRoundTrip(.connectionTune(ConnectionTune(channelMax: channelMax, frameMax: frameMax, heartbeat: heartbeat)), channel: 0)
            try expectMethodRoundTrip(.connectionTuneOk(ConnectionTuneOk(channelMax: channelMax, frameMax: frameMax, heartbeat: heartbeat)), channel: 0)
        }
    }

    @Test func connectionCloseRoundTrips() async {
        await propertyCheck(input: Gen<UInt16>.value(), Gen.shortString, Gen<UInt16>.value(), Gen<UInt16>.value()) { code, text, classID, methodID in
            try expectMethodRoundTrip(.connectionClose(ConnectionClose(replyCode: code, replyText: text, classID: classID, methodID: methodID)), channel: 0)
            try expectMethodRoundTrip(.channelClose(ChannelClose(replyCode: code, replyText: text, classID: classID, methodID: methodID)), channel: 3)
        }
    }

    @Test func basicAckAndNackRoundTrip() async {
        await propertyCheck(input: Gen<UInt64>.value(), Gen.bool, Gen.bool) { deliveryTag, multiple, requeue in
            try expectMethodRoundTrip(.basicAck(BasicAck(deliveryTag: deliveryTag, multiple: multiple)), channel: 1)
            try expectMethodRoundTrip(.basicNack(BasicNack(deliveryTag: deliveryTag, multiple: multiple, requeue: requeue)), channel: 1)

            // Bits pack into one octet after the delivery tag: multiple is bit 0, requeue bit 1.
            let bytes = encodedMethodFrame(.basicNack(BasicNack(deliveryTag: deliveryTag, multiple: multiple, requeue: requeue)), channel: 1)
            #expect(Array(bytes[11..<19]) == be64(deliveryTag))
            #expect(bytes[19] == (multiple ? 1 : 0) | (requeue ? 2 : 0))
            #expect(bytes.count == 21)
        }
    }

    // MARK: Golden bytes and bit packing

    @Test func basicPublishGoldenBytes() throws {
        let method = AMQPMethod.basicPublish(BasicPublish(exchange: "ex", routingKey: "rk", mandatory: true, immediate: false))
        let golden: [UInt8] = [
            0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0D,  // method frame, channel 1, size 13
            0x00, 0x3C, 0x00, 0x28,                    // basic.publish (60, 40)
            0x00, 0x00,                                // reserved-1 (ticket)
            0x02, 0x65, 0x78,                          // exchange "ex"
            0x02, 0x72, 0x6B,                          // routing-key "rk"
            0x01,                                      // mandatory
            0xCE,
        ]
        #expect(encodedMethodFrame(method, channel: 1) == golden)
        #expect(try decodeOneFrame(golden) == Frame(channel: 1, payload: .method(method)))
    }

    @Test func basicAckGoldenBytes() throws {
        let method = AMQPMethod.basicAck(BasicAck(deliveryTag: 0x0102_0304_0506_0708, multiple: true))
        let golden: [UInt8] = [0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x0D, 0x00, 0x3C, 0x00, 0x50,
                               0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x01, 0xCE]
        #expect(encodedMethodFrame(method, channel: 2) == golden)
    }

    /// The octet holding each bit flag when only that flag is set, at the offset the spec's argument order gives.
    @Test func bitFlagsUseTheSpecBitPositions() {
        func flagOctet(_ method: AMQPMethod, at payloadOffset: Int) -> UInt8 {
            encodedMethodFrame(method, channel: 1)[7 + payloadOffset]
        }
        // queue.declare: ids(4) ticket(2) queue "q"(2), then no-wait… bits.
        #expect(flagOctet(.queueDeclare(QueueDeclare(queue: "q", passive: true)), at: 8) == 0x01)
        #expect(flagOctet(.queueDeclare(QueueDeclare(queue: "q", durable: true)), at: 8) == 0x02)
        #expect(flagOctet(.queueDeclare(QueueDeclare(queue: "q", exclusive: true)), at: 8) == 0x04)
        #expect(flagOctet(.queueDeclare(QueueDeclare(queue: "q", autoDelete: true)), at: 8) == 0x08)
        #expect(flagOctet(.queueDeclare(QueueDeclare(queue: "q", noWait: true)), at: 8) == 0x10)
        // exchange.declare: ids(4) ticket(2) exchange "x"(2) type "topic"(6).
        #expect(flagOctet(.exchangeDeclare(ExchangeDeclare(exchange: "x", type: "topic", passive: true)), at: 14) == 0x01)
        #expect(flagOctet(.exchangeDeclare(ExchangeDeclare(exchange: "x", type: "topic", durable: true)), at: 14) == 0x02)
        #expect(flagOctet(.exchangeDeclare(ExchangeDeclare(exchange: "x", type: "topic", autoDelete: true)), at: 14) == 0x04)
        #expect(flagOctet(.exchangeDeclare(ExchangeDeclare(exchange: "x", type: "topic", internal: true)), at: 14) == 0x08)
        #expect(flagOctet(.exchangeDeclare(ExchangeDeclare(exchange: "x", type: "topic", noWait: true)), at: 14) == 0x10)
        // basic.consume: ids(4) ticket(2) queue "q"(2) tag ""(1).
        #expect(flagOctet(.basicConsume(BasicConsume(queue: "q", noLocal: true)), at: 9) == 0x01)
        #expect(flagOctet(.basicConsume(BasicConsume(queue: "q", noAck: true)), at: 9) == 0x02)
        #expect(flagOctet(.basicConsume(BasicConsume(queue: "q", exclusive: true)), at: 9) == 0x04)
        #expect(flagOctet(.basicConsume(BasicConsume(queue: "q", noWait: true)), at: 9) == 0x08)
        // queue.delete: ids(4) ticket(2) queue "q"(2).
        #expect(flagOctet(.queueDelete(QueueDelete(queue: "q", ifUnused: true)), at: 8) == 0x01)
        #expect(flagOctet(.queueDelete(QueueDelete(queue: "q", ifEmpty: true)), at: 8) == 0x02)
        #expect(flagOctet(.queueDelete(QueueDelete(queue: "q", noWait: true)), at: 8) == 0x04)
        // basic.publish: ids(4) ticket(2) exchange ""(1) routing key ""(1).
        #expect(flagOctet(.basicPublish(BasicPublish(immediate: true)), at: 8) == 0x02)
        // basic.qos: ids(4) prefetch-size(4) prefetch-count(2).
        #expect(flagOctet(.basicQos(BasicQos(global: true)), at: 10) == 0x01)
    }

    @Test func reservedArgumentsAreWrittenAsTheSpecSays() {
        // connection.open: virtual-host, then reserved shortstr "" and reserved bit 0.
        #expect(encodedMethodFrame(.connectionOpen(ConnectionOpen(virtualHost: "/")), channel: 0)
            == frameBytes(type: 1, channel: 0, payload: [0x00, 0x0A, 0x00, 0x28, 0x01, 0x2F, 0x00, 0x00]))
        // channel.open-ok carries a reserved longstr.
        #expect(encodedMethodFrame(.channelOpenOk, channel: 5)
            == frameBytes(type: 1, channel: 5, payload: [0x00, 0x14, 0x00, 0x0B, 0x00, 0x00, 0x00, 0x00]))
        // channel.open and basic.get-empty carry a reserved shortstr.
        #expect(encodedMethodFrame(.channelOpen, channel: 5) == frameBytes(type: 1, channel: 5, payload: [0x00, 0x14, 0x00, 0x0A, 0x00]))
        #expect(encodedMethodFrame(.basicGetEmpty, channel: 5) == frameBytes(type: 1, channel: 5, payload: [0x00, 0x3C, 0x00, 0x48, 0x00]))
        #expect(encodedMethodFrame(.txSelect, channel: 5) == frameBytes(type: 1, channel: 5, payload: [0x00, 0x5A, 0x00, 0x0A]))
    }

    @Test func reservedArgumentsWithContentAreAcceptedAndIgnored() throws {
        // A client may send a non-empty reserved field (old clients sent a known-hosts string in connection.open).
        let open = frameBytes(type: 1, channel: 0, payload: [0x00, 0x0A, 0x00, 0x28] + shortString("/vh") + shortString("/") + [0x01])
        #expect(try decodeOneFrame(open).method == .connectionOpen(ConnectionOpen(virtualHost: "/vh")))
        let channelOpen = frameBytes(type: 1, channel: 1, payload: [0x00, 0x14, 0x00, 0x0A] + shortString("out-of-band"))
        #expect(try decodeOneFrame(channelOpen).method == .channelOpen)
    }

    @Test func bitsAboveTheDefinedOnesAreIgnoredWhenDecoding() throws {
        let bytes = frameBytes(type: 1, channel: 1, payload: [0x00, 0x3C, 0x00, 0x50] + be64(9) + [0xFE])
        #expect(try decodeOneFrame(bytes).method == .basicAck(BasicAck(deliveryTag: 9, multiple: false)))
    }

    @Test func truncatedArgumentsAreReportedWithTheMethodIds() {
        // basic.deliver with the delivery tag cut short.
        let bytes = frameBytes(type: 1, channel: 4, payload: [0x00, 0x3C, 0x00, 0x3C] + shortString("ctag") + [0x00, 0x00, 0x00])
        let error = decodingError(bytes)
        #expect(error?.error.isTruncated == true)
        #expect(error?.channel == 4)
        #expect(error?.classID == 60)
        #expect(error?.methodID == 60)
        #expect(error?.error.replyCode == .syntaxError)
    }

    @Test func shortStringsLongerThan255BytesAreCutOnAScalarBoundary() throws {
        // 254 ASCII bytes then a two-byte "é": the cut must not split the "é".
        let key = String(repeating: "k", count: 254) + "é" + "tail"
        let frame = try decodeOneFrame(encodedMethodFrame(.basicPublish(BasicPublish(routingKey: key)), channel: 1))
        guard case .basicPublish(let publish)? = frame.method else {
            Issue.record("decoded \(frame)")
            return
        }
        #expect(publish.routingKey == String(repeating: "k", count: 254))

        let exact = String(repeating: "é", count: 127) + "z"  // 255 bytes: kept whole
        let exactFrame = try decodeOneFrame(encodedMethodFrame(.basicPublish(BasicPublish(exchange: exact)), channel: 1))
        #expect(exactFrame.method == .basicPublish(BasicPublish(exchange: exact)))
    }
}
