import AMQPServer
import Broker

/// Samples every queue's and the node's counters and lengths, and the syslog intake, into
/// `MessageRates` every 5 s, as RabbitMQ's `collect_statistics_interval` does, until its task is cancelled.
struct RateSampler: Sendable {
    let runtime: BrokerRuntime
    let rates: MessageRates
    let syslog: SyslogIntake

    func run() async {
        repeat {
            await sampleOnce()
        } while (try? await Task.sleep(for: .milliseconds(MessageRates.interval))) != nil
    }

    func sampleOnce() async {
        guard var objects = try? await runtime.withBrokerResult({ Self.objects(of: $0) }) else { return }
        if !syslog.counters.isEmpty { objects[MessageRates.syslogKey] = syslog.received() }
        rates.record(objects)
    }

    /// Every queue's, exchange's, channel's and vhost's values and the overview's (every vhost's
    /// counters, every queue's lengths).
    static func objects(of broker: Broker) -> [String: [Int]] {
        var objects: [String: [Int]] = [:]
        var ready = 0, unacknowledged = 0
        var vhostLengths: [String: (ready: Int, unacknowledged: Int)] = [:]
        for queue in broker.queueCounts() {
            objects[MessageRates.queueKey(vhost: queue.vhost, name: queue.name)] =
                RateField.values(queue.counts, ready: queue.ready, unacknowledged: queue.unacknowledged)
            ready += queue.ready
            unacknowledged += queue.unacknowledged
            vhostLengths[queue.vhost, default: (0, 0)].ready += queue.ready
            vhostLengths[queue.vhost, default: (0, 0)].unacknowledged += queue.unacknowledged
        }
        for (vhost, counts) in broker.vhostCounts {
            let lengths = vhostLengths[vhost] ?? (0, 0)
            objects[MessageRates.vhostKey(vhost)] = RateField.values(counts, ready: lengths.ready, unacknowledged: lengths.unacknowledged)
        }
        for exchange in broker.exchangeSnapshots() {
            objects[MessageRates.exchangeKey(vhost: exchange.vhost, name: exchange.name)] =
                RateField.values(publishedIn: exchange.publishedIn, publishedOut: exchange.publishedOut)
        }
        for channel in broker.channelSnapshots() {
            objects[MessageRates.channelKey(connection: channel.connection, number: channel.number)] = RateField.values(channel.counts)
        }
        objects[MessageRates.overviewKey] = RateField.values(broker.totalCounts, ready: ready, unacknowledged: unacknowledged)
        return objects
    }
}
