import Broker
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

    @Test func readsRabbitMQsSHA512Form() throws {
        let made = PasswordHash(password: "s3cret", algorithm: .sha512)
        let read = try #require(PasswordHash(base64: made.base64, algorithm: .sha512))
        #expect(read.matches("s3cret") && !read.matches("s3cres"))
        #expect(PasswordHash(base64: made.base64) == nil)  // not a SHA-256 hash's length
    }

    @Test func anUnknownUserCostsAHashAndLogsNobodyIn() {
        var access = AccessControl.guestOnly()
        access.put(UserAccount(name: "nopass", passwordHash: ""))
        access.put(UserAccount(name: "odd", passwordHash: PasswordHash(password: "pw").base64, hashingAlgorithm: "rabbit_password_hashing_md5"))
        #expect(Authenticator.authenticate(access, username: "guest", password: "guest", fromLoopback: true)?.name == "guest")
        #expect(Authenticator.authenticate(access, username: "guest", password: "guest", fromLoopback: false) == nil)
        for name in ["nobody", "nopass", "odd"] {
            #expect(Authenticator.authenticate(access, username: name, password: "", fromLoopback: true) == nil)
        }
    }
}
