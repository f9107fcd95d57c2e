import Testing

@testable import AMQPClient

/// `amqp://` and `amqps://` addresses with RabbitMQ's TLS query parameters.
@Suite struct AMQPURLTests {
    @Test func plainURLKeepsItsDefaults() throws {
        let url = try AMQPURL("amqp://alice:s3cret@broker:5673/logs")
        #expect(url.tls == nil && url.authMechanism == "PLAIN")
        #expect((url.user, url.password, url.host, url.port, url.vhost) == ("alice", "s3cret", "broker", 5673, "logs"))
    }

    @Test func amqpsDefaultsToPort5671AndVerifiesThePeer() throws {
        let url = try AMQPURL("amqps://broker/%2F")
        #expect(url.port == 5671 && url.vhost == "/")
        #expect(url.tls == AMQPClientTLS())
        #expect(url.tls?.verifyPeer == true)
        #expect(url.description == "amqps://guest@broker:5671/%2F")
    }

    @Test func tlsQueryParametersAreRabbitMQs() throws {
        let url = try AMQPURL("amqps://broker:5671/%2F?cacertfile=/ca.pem&certfile=/c.pem&keyfile=/c.key"
                              + "&verify=verify_none&server_name_indication=broker.example&auth_mechanism=external&heartbeat=10")
        var expected = AMQPClientTLS()
        expected.caFile = "/ca.pem"
        expected.certificateFile = "/c.pem"
        expected.keyFile = "/c.key"
        expected.verifyPeer = false
        expected.serverName = "broker.example"
        #expect(url.tls == expected)
        #expect(url.authMechanism == "EXTERNAL")
    }

    @Test(arguments: [
        "amqp://broker/?cacertfile=/ca.pem",     // TLS parameters need amqps
        "amqps://broker/?verify=sometimes",
        "amqps://broker/?auth_mechanism=cram-md5",
        "http://broker/",
    ])
    func badURLsAreRefused(_ text: String) {
        #expect(throws: AMQPClientError.invalidURL(text)) { try AMQPURL(text) }
    }
}
