import AMQPWire
import NIOCore
import Testing

@testable import Broker

/// One fake connection to a broker: sends command batches and returns what the broker sent back
/// to *this* connection during the burst (output for other connections stays in their outlets).
final class TestClient {
    let broker: Broker
    let id: ConnectionID
    let outlet = RecordingOutlet()

    /// `checked` false (the default) is an internal connection: no permission checks.
    init(_ broker: Broker, id: UInt64 = 1, vhost: String = "/", user: String = "guest", checked: Bool = false) {
        self.broker = broker
        self.id = ConnectionID(id)
        broker.connect(self.id, vhost: vhost, user: user, checked: checked, outlet: outlet)
    }

    /// Hands the broker one batch; returns everything this connection received meanwhile
    /// (including anything left over from earlier bursts that was not taken yet).
    @discardableResult
    func run(_ commands: [BrokerCommand]) -> [Outbound] {
        broker.handle(commands, from: id)
        return outlet.take()
    }

    /// Output that arrived because of another connection's commands.
    func take() -> [Outbound] { outlet.take() }

    @discardableResult
    func open(_ channel: UInt16 = 1) -> [Outbound] { run([.channelOpened(channel)]) }

    @discardableResult
    func close(_ channel: UInt16 = 1) -> [Outbound] { run([.channelClosed(channel)]) }

    @discardableResult
    func call(_ method: AMQPMethod, on channel: UInt16 = 1) -> [Outbound] {
        run([.method(channel, method)])
    }

    @discardableResult
    func publish(_ body: String, exchange: String = "", key: String, properties: BasicProperties = BasicProperties(),
                 mandatory: Bool = false, on channel: UInt16 = 1) -> [Outbound] {
        run([Cmd.publish(body, exchange: exchange, key: key, properties: properties, mandatory: mandatory, on: channel)])
    }

    func disconnect() { broker.disconnect(id) }

    // MARK: Declarations that must succeed

    /// Declares a queue and returns its (possibly server-chosen) name; fails the test otherwise.
    @discardableResult
    func declareQueue(_ name: String = "", durable: Bool = false, exclusive: Bool = false, autoDelete: Bool = false,
                      arguments: FieldTable = [:], on channel: UInt16 = 1,
                      sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let out = call(.queueDeclare(QueueDeclare(queue: name, durable: durable, exclusive: exclusive,
                                                  autoDelete: autoDelete, arguments: arguments)), on: channel)
        guard let ok = out.declareOk else {
            Issue.record("queue.declare '\(name)' failed: \(out)", sourceLocation: sourceLocation)
            return name
        }
        return ok.queue
    }

    func declareExchange(_ name: String, type: String, durable: Bool = false, autoDelete: Bool = false,
                         internal: Bool = false, arguments: FieldTable = [:], on channel: UInt16 = 1,
                         sourceLocation: SourceLocation = #_sourceLocation) {
        let out = call(.exchangeDeclare(ExchangeDeclare(exchange: name, type: type, durable: durable, autoDelete: autoDelete,
                                                        internal: `internal`, arguments: arguments)), on: channel)
        expectMethods(out, [.exchangeDeclareOk], sourceLocation: sourceLocation)
    }

    func bindQueue(_ queue: String, to exchange: String, key: String = "", arguments: FieldTable = [:],
                   on channel: UInt16 = 1, sourceLocation: SourceLocation = #_sourceLocation) {
        let out = call(.queueBind(QueueBind(queue: queue, exchange: exchange, routingKey: key, arguments: arguments)), on: channel)
        expectMethods(out, [.queueBindOk], sourceLocation: sourceLocation)
    }

    func bindExchange(_ destination: String, to source: String, key: String = "", arguments: FieldTable = [:],
                      on channel: UInt16 = 1, sourceLocation: SourceLocation = #_sourceLocation) {
        let out = call(.exchangeBind(ExchangeBind(destination: destination, source: source, routingKey: key,
                                                  arguments: arguments)), on: channel)
        expectMethods(out, [.exchangeBindOk], sourceLocation: sourceLocation)
    }

    /// Starts a consumer and returns its tag; the consume-ok and any deliveries in the same burst are returned too.
    @discardableResult
    func consume(_ queue: String, tag: String = "", noAck: Bool = false, exclusive: Bool = false, on channel: UInt16 = 1,
                 sourceLocation: SourceLocation = #_sourceLocation) -> (tag: String, output: [Outbound]) {
        let out = call(.basicConsume(BasicConsume(queue: queue, consumerTag: tag, noAck: noAck, exclusive: exclusive)), on: channel)
        guard let ok = out.methods.compactMap({ if case .basicConsumeOk(let ok) = $0 { ok } else { nil } }).first else {
            Issue.record("basic.consume '\(queue)' failed: \(out)", sourceLocation: sourceLocation)
            return (tag, out)
        }
        return (ok.consumerTag, out)
    }

    @discardableResult
    func qos(_ count: UInt16, global: Bool = false, on channel: UInt16 = 1) -> [Outbound] {
        call(.basicQos(BasicQos(prefetchCount: count, global: global)), on: channel)
    }

    @discardableResult
    func ack(_ tag: UInt64, multiple: Bool = false, on channel: UInt16 = 1) -> [Outbound] {
        call(.basicAck(BasicAck(deliveryTag: tag, multiple: multiple)), on: channel)
    }

    @discardableResult
    func get(_ queue: String, noAck: Bool = false, on channel: UInt16 = 1) -> [Outbound] {
        call(.basicGet(BasicGet(queue: queue, noAck: noAck)), on: channel)
    }
}

/// Command builders.
enum Cmd {
    static func header(_ body: String, _ properties: BasicProperties = BasicProperties()) -> ContentHeader {
        ContentHeader(bodySize: UInt64(body.utf8.count), properties: properties)
    }

    static func publish(_ body: String, exchange: String = "", key: String, properties: BasicProperties = BasicProperties(),
                        mandatory: Bool = false, on channel: UInt16 = 1) -> BrokerCommand {
        .publish(channel, BasicPublish(exchange: exchange, routingKey: key, mandatory: mandatory),
                 header(body, properties), ByteBuffer(string: body))
    }
}

// MARK: Reading what the broker sent

/// A basic.deliver, basic.get-ok or basic.return with its content, flattened for assertions.
struct Received: Equatable, CustomStringConvertible {
    var channel: UInt16
    var consumerTag: String
    var deliveryTag: UInt64
    var redelivered: Bool
    var exchange: String
    var routingKey: String
    var body: String
    var header: ContentHeader

    var properties: BasicProperties { (try? header.properties()) ?? BasicProperties() }
    var description: String { "\(body)@\(channel)/\(consumerTag)#\(deliveryTag)\(redelivered ? "(r)" : "")" }
}

extension Array where Element == Outbound {
    /// Plain method frames (not content-bearing ones), in order.
    var methods: [AMQPMethod] {
        compactMap { if case .method(_, let method) = $0 { method } else { nil } }
    }

    /// Plain method frames with their channel.
    var channelMethods: [(channel: UInt16, method: AMQPMethod)] {
        compactMap { if case .method(let channel, let method) = $0 { (channel, method) } else { nil } }
    }

    /// basic.deliver items, in order.
    var deliveries: [Received] {
        compactMap {
            guard case .content(let channel, .basicDeliver(let d), let header, let body) = $0 else { return nil }
            return Received(channel: channel, consumerTag: d.consumerTag, deliveryTag: d.deliveryTag, redelivered: d.redelivered,
                            exchange: d.exchange, routingKey: d.routingKey, body: String(buffer: body), header: header)
        }
    }

    var bodies: [String] { deliveries.map(\.body) }

    /// basic.get-ok items with their message_count.
    var gets: [(message: Received, messageCount: UInt32)] {
        compactMap {
            guard case .content(let channel, .basicGetOk(let g), let header, let body) = $0 else { return nil }
            return (Received(channel: channel, consumerTag: "", deliveryTag: g.deliveryTag, redelivered: g.redelivered,
                             exchange: g.exchange, routingKey: g.routingKey, body: String(buffer: body), header: header),
                    g.messageCount)
        }
    }

    /// basic.return items.
    var returns: [(method: BasicReturn, body: String)] {
        compactMap {
            guard case .content(_, .basicReturn(let r), _, let body) = $0 else { return nil }
            return (r, String(buffer: body))
        }
    }

    var channelErrors: [(channel: UInt16, error: AMQPError)] {
        compactMap { if case .closeChannel(let channel, let error) = $0 { (channel, error) } else { nil } }
    }

    var channelError: AMQPError? { channelErrors.first?.error }

    var connectionError: AMQPError? {
        for case .closeConnection(let error) in self { return error }
        return nil
    }

    var declareOk: QueueDeclareOk? {
        for case .method(_, .queueDeclareOk(let ok)) in self { return ok }
        return nil
    }

    var deleteOk: QueueDeleteOk? {
        for case .method(_, .queueDeleteOk(let ok)) in self { return ok }
        return nil
    }

    /// publisher-confirm acks, in order.
    var confirmAcks: [BasicAck] {
        methods.compactMap { if case .basicAck(let ack) = $0 { ack } else { nil } }
    }
}

/// Expects exactly these plain methods (and nothing else) in an output.
func expectMethods(_ output: [Outbound], _ expected: [AMQPMethod], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(output.count == expected.count, "output: \(output)", sourceLocation: sourceLocation)
    #expect(output.methods == expected, sourceLocation: sourceLocation)
}

extension Broker {
    /// The bodies ready in a queue, front first (test inspection of internal state).
    func readyBodies(_ queue: String, vhost: String = "/") -> [String]? {
        self.vhost(vhost)?.queues[queue]?.ready.map { entry in
            guard case .inMemory(let queued) = entry else { return "(paged)" }
            return String(buffer: queued.message.body)
        }
    }

    func hasQueue(_ name: String, vhost: String = "/") -> Bool { self.vhost(vhost)?.queues[name] != nil }
    func hasExchange(_ name: String, vhost: String = "/") -> Bool { self.vhost(vhost)?.exchanges[name] != nil }
}

extension Array where Element == Received {
    /// The delivery tag of the i-th item; records an issue (and answers 0, never a valid tag) when absent,
    /// so a short list fails the test instead of crashing the run.
    func tag(_ index: Int, sourceLocation: SourceLocation = #_sourceLocation) -> UInt64 {
        guard indices.contains(index) else {
            Issue.record("no delivery #\(index) in \(self)", sourceLocation: sourceLocation)
            return 0
        }
        return self[index].deliveryTag
    }
}
