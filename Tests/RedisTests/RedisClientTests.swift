import Testing

@testable import Redis

/// The hiredis-based client against a real redis-server.
@Suite(.serialized) struct RedisClientTests {
    @Test func pipelineReturnsEveryReplyTypeInOrder() async throws {
        let server = try LocalRedisServer()
        let client = RedisClient(url: RedisURL(port: server.port))
        let replies = try await client.pipeline([
            ["SET", "k", "v with spaces\u{00e9}"], ["GET", "k"], ["INCR", "n"], ["RPUSH", "l", "a", "b"],
            ["LRANGE", "l", "0", "-1"], ["GET", "missing"], ["INCR", "k"],
        ])
        #expect(replies[0] == .status("OK"))
        #expect(replies[1].string == "v with spaces\u{00e9}")
        #expect(replies[2] == .integer(1))
        #expect(replies[3] == .integer(2))
        #expect(replies[4].array?.compactMap(\.string) == ["a", "b"])
        #expect(replies[5] == .null)
        #expect(replies[6] == .error("ERR value is not an integer or out of range"))
    }

    @Test func emptyAndLongArgumentsSurviveTheSharedArgumentBuffer() async throws {
        let server = try LocalRedisServer()
        let client = RedisClient(url: RedisURL(port: server.port))
        let long = String(repeating: "y", count: 100_000)
        let replies = try await client.pipeline([["SET", "", ""], ["GET", ""], ["RPUSH", "l", "", long, "z"], ["LRANGE", "l", "0", "-1"]])
        #expect(replies[0] == .status("OK"))
        #expect(replies[1] == .bulk([]))
        #expect(replies[3].array?.compactMap(\.string) == ["", long, "z"])
        #expect(try await client.command(["LLEN", "l"]) == .integer(3))
    }

    @Test func withConnectionRunsSeveralRoundTripsOnTheClientsConnection() async throws {
        let server = try LocalRedisServer()
        let client = RedisClient(url: RedisURL(port: server.port))
        let lengths = try await client.withConnection { connection in
            try (1...3).map { _ in try connection.pipeline([["RPUSH", "l", "x"], ["LLEN", "l"]])[1] }
        }
        #expect(lengths == [.integer(1), .integer(2), .integer(3)])
        #expect(try await client.command("LLEN", "l") == .integer(3))
    }

    @Test func anErrorReplyThrowsFromCommand() async throws {
        let server = try LocalRedisServer()
        let client = RedisClient(url: RedisURL(port: server.port))
        await #expect(throws: RedisError.server("ERR unknown command 'NOPE', with args beginning with: ")) {
            try await client.command("NOPE")
        }
    }

    @Test func anUnreachableServerIsAConnectionError() async throws {
        let client = RedisClient(url: RedisURL(port: try LocalRedisServer.freePort()))
        await #expect {
            try await client.command("PING")
        } throws: { error in
            guard case .connection(let reason) = error as? RedisError else { return false }
            return reason.contains("Connection refused")
        }
    }

    @Test func theClientReconnectsAfterTheServerComesBack() async throws {
        var server = try LocalRedisServer()
        let port = server.port
        let client = RedisClient(url: RedisURL(port: port))
        #expect(try await client.command("PING") == .status("PONG"))
        server.kill()
        await #expect(throws: RedisError.self) { try await client.command("PING") }
        server = try LocalRedisServer(port: port)
        #expect(try await client.command("PING") == .status("PONG"))
        _ = server
    }

    @Test func databaseFromTheURLIsSelected() async throws {
        let server = try LocalRedisServer()
        try await RedisClient(url: RedisURL(port: server.port, database: 3)).command("SET", "where", "three")
        #expect(try await RedisClient(url: RedisURL(port: server.port)).command("GET", "where") == .null)
        #expect(try await RedisClient(url: RedisURL(port: server.port, database: 3)).command("GET", "where").string == "three")
    }

    @Test(arguments: [
        ("redis://127.0.0.1:6379", RedisURL()),
        ("redis://cache.local:7000/2", RedisURL(host: "cache.local", port: 7000, database: 2)),
        ("redis://:secret@127.0.0.1/1", RedisURL(database: 1, password: "secret")),
        ("redis://", RedisURL()),
    ])
    func urlsParse(text: String, expected: RedisURL) {
        #expect(RedisURL(text) == expected)
    }

    @Test(arguments: ["http://x", "redis://h:0", "redis://h:99999", "redis://h/x"])
    func badURLsAreRefused(text: String) {
        #expect(RedisURL(text) == nil)
    }
}
