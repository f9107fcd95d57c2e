import Testing

@testable import AMQPServer

@Suite struct PasswordHashTests {
    @Test func matchesOnlyTheRightPassword() {
        let hash = PasswordHash(password: "s3cret")
        #expect(hash.matches("s3cret"))
        #expect(!hash.matches("s3cres"))
        #expect(!hash.matches(""))
    }

    @Test func readsRabbitMQsBase64Form() throws {
        // salt 0x908DC60A, SHA-256(salt + "test12"): RabbitMQ's documented example hash.
        let hash = try #require(PasswordHash(base64: "kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR"))
        #expect(hash.matches("test12"))
        #expect(!hash.matches("test13"))
        #expect(PasswordHash(base64: hash.base64) == hash)
    }

    @Test func rejectsMalformedHashes() {
        #expect(PasswordHash(base64: "not base64!") == nil)
        #expect(PasswordHash(base64: "AAAA") == nil)
    }
}
