import Metrics

/// The Prometheus series of one upstream, labelled `upstream="<name>"`.
struct UpstreamMetrics: Sendable {
    let forwarded: Counter
    let deadLettered: Counter
    let failovers: Counter
    let backlog: Gauge
    let confirmsOutstanding: Gauge
    let connected: Gauge

    init(name: String) {
        let label = [("upstream", name)]
        forwarded = Counter(label: "warren_upstream_forwarded_total", dimensions: label)
        deadLettered = Counter(label: "warren_upstream_dead_lettered_total", dimensions: label)
        failovers = Counter(label: "warren_upstream_failovers_total", dimensions: label)
        backlog = Gauge(label: "warren_upstream_backlog_messages", dimensions: label)
        confirmsOutstanding = Gauge(label: "warren_upstream_confirms_outstanding", dimensions: label)
        connected = Gauge(label: "warren_upstream_connected", dimensions: label)
    }
}
