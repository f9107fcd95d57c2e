import NIOPosix

/// A Redis client for async code: one hiredis connection confined to its own thread, so blocking
/// network calls never run on a NIO event loop or the cooperative pool. Connects lazily and again
/// after a failure; every call is one pipelined round trip.
public final class RedisClient: Sendable {
    public let url: RedisURL
    private let thread: NIOThreadPool
    private let connection: ConfinedConnection
    private let timeoutMilliseconds: Int

    public init(url: RedisURL, timeoutMilliseconds: Int = 2000) {
        self.url = url
        self.timeoutMilliseconds = timeoutMilliseconds
        thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        connection = ConfinedConnection()
    }

    deinit { thread.shutdownGracefully { _ in } }

    /// Sends the commands in one pipeline and returns their replies in order (error replies
    /// included as `.error`). Throws `RedisError.connection` when the server is unreachable or the
    /// connection broke; the next call reconnects.
    public func pipeline(_ commands: [[String]]) async throws -> [RedisReply] {
        let url = url
        let timeout = timeoutMilliseconds
        let connection = connection
        return try await thread.runIfActive {
            try connection.run(url: url, timeoutMilliseconds: timeout) { try $0.pipeline(commands) }
        }
    }

    /// Runs `body` on the client's thread with the connection itself, so a loop of round trips
    /// (a benchmark's, a blocking consumer's) pays no thread hop per call. `body` blocks that
    /// thread only; the connection must not be kept after it returns.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (RedisConnection) throws -> T) async throws -> T {
        let url = url
        let timeout = timeoutMilliseconds
        let connection = connection
        return try await thread.runIfActive {
            try connection.run(url: url, timeoutMilliseconds: timeout) { try body(RedisConnection(context: $0)) }
        }
    }

    /// One command; an error reply throws `RedisError.server`.
    @discardableResult
    public func command(_ arguments: String...) async throws -> RedisReply {
        try await command(arguments)
    }

    /// One command given as an array; an error reply throws `RedisError.server`.
    @discardableResult
    public func command(_ arguments: [String]) async throws -> RedisReply {
        let reply = try await pipeline([arguments])[0]
        if case .error(let reason) = reply { throw RedisError.server(reason) }
        return reply
    }
}

/// The hiredis context of a `RedisClient`, touched only from the client's single pool thread:
/// that confinement is what makes the `@unchecked Sendable` sound.
private final class ConfinedConnection: @unchecked Sendable {
    private var context: HiredisContext?

    func run<T>(url: RedisURL, timeoutMilliseconds: Int, _ body: (HiredisContext) throws -> T) throws -> T {
        do {
            let context = try self.context ?? HiredisContext(url: url, timeoutMilliseconds: timeoutMilliseconds)
            self.context = context
            return try body(context)
        } catch {
            context = nil  // a broken or unreachable connection is rebuilt on the next call
            throw error
        }
    }
}

/// The connection of a `RedisClient` inside `withConnection`: blocking calls on the client's thread.
public struct RedisConnection {
    let context: HiredisContext

    /// Sends the commands in one pipeline and returns their replies in order, as `RedisClient.pipeline`.
    public func pipeline(_ commands: [[String]]) throws -> [RedisReply] {
        try context.pipeline(commands)
    }
}
