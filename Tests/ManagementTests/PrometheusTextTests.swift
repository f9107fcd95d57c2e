import Testing

@testable import Management

/// The text format written at each scrape: families, samples and escaped label values.
@Suite struct PrometheusTextTests {
    @Test func familiesAndSamples() {
        var text = PrometheusText()
        text.family("warren_messages_published_total", .counter, help: "Messages published per vhost")
        text.sample("warren_messages_published_total", [("vhost", "/")], 3)
        text.family("warren_connections", .gauge, help: "Open AMQP connections")
        text.sample("warren_connections", 1.0)
        #expect(text.text == """
            # HELP warren_messages_published_total Messages published per vhost
            # TYPE warren_messages_published_total counter
            warren_messages_published_total{vhost="/"} 3
            # HELP warren_connections Open AMQP connections
            # TYPE warren_connections gauge
            warren_connections 1.0

            """)
    }

    @Test func aLabelValueCannotEndItsLineOrItsLabel() {
        var text = PrometheusText()
        text.sample("warren_queue_consumers", [("queue", "evil\"} 1\nwarren_forged 1\\")], 0.0)
        #expect(text.text == "warren_queue_consumers{queue=\"evil\\\"} 1\\nwarren_forged 1\\\\\"} 0.0\n")
    }
}
