import Metrics

/// What paging could not do, in `/metrics`: page writes that failed
/// (`warren_paging_write_errors_total`), paged messages whose record could not be read back
/// (`warren_paging_read_errors_total`), and of those the ones lost, neither read back nor found
/// in the message log (`warren_paging_lost_messages_total`).
struct PagingCounters: Sendable {
    let writeErrors: Counter
    let readErrors: Counter
    let lostMessages: Counter

    init(factory: any MetricsFactory = MetricsSystem.factory) {
        writeErrors = Counter(label: "warren_paging_write_errors_total", factory: factory)
        readErrors = Counter(label: "warren_paging_read_errors_total", factory: factory)
        lostMessages = Counter(label: "warren_paging_lost_messages_total", factory: factory)
    }
}
