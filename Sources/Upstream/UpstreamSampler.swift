import AMQPServer
import Logging

/// Once a second: the local queue's backlog and the forwarding rate into the status and the
/// metrics, and a log line when a backlog has drained ("caught up").
struct UpstreamSampler: Sendable {
    let configuration: UpstreamConfiguration
    let runtime: BrokerRuntime
    let registry: UpstreamRegistry
    let metrics: UpstreamMetrics
    let logger: Logger
    static let interval = Duration.seconds(1)

    func run() async {
        let clock = ContinuousClock()
        var last = clock.now
        var lastForwarded = 0
        var behind = false
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: Self.interval)
            } catch {
                return
            }
            let now = clock.now
            let backlog = await backlog()
            let elapsed = (now - last) / .milliseconds(1)
            last = now
            var status = UpstreamStatus(name: configuration.name)
            registry.update(configuration.name) { current in
                current.backlog = backlog
                let delta = current.forwarded - lastForwarded
                current.rate = elapsed > 0 ? Double(delta) * 1000 / elapsed : 0
                lastForwarded = current.forwarded
                status = current
            }
            metrics.backlog.record(backlog)
            if backlog > configuration.window || status.state != .running {
                behind = behind || backlog > 0
            } else if behind, backlog == 0 {
                behind = false
                logger.info("upstream '\(configuration.name)': caught up (backlog drained, \(status.forwarded) forwarded in total)")
            }
        }
    }

    /// Messages in the local queue, ready and unacknowledged.
    private func backlog() async -> Int {
        let vhost = configuration.vhost
        let name = configuration.queueName
        do {
            return try await runtime.withBrokerResult { broker in
                guard let queue = broker.vhost(vhost)?.queues[name] else { return 0 }
                return queue.messageCount + queue.unackedCount
            }
        } catch {
            return 0
        }
    }
}
