import CHiredis

/// One blocking hiredis connection. Not thread-safe: `RedisClient` confines it to one thread.
final class HiredisContext {
    private let context: UnsafeMutablePointer<redisContext>

    /// Connects (and authenticates and selects the database) within `timeoutMilliseconds`.
    init(url: RedisURL, timeoutMilliseconds: Int) throws(RedisError) {
        var timeout = timeval(tv_sec: timeoutMilliseconds / 1000, tv_usec: (timeoutMilliseconds % 1000) * 1000)
        guard let context = redisConnectWithTimeout(url.host, Int32(url.port), timeout) else {
            throw .connection("cannot allocate a hiredis context")
        }
        self.context = context
        // From here on a throw runs deinit, which frees the context.
        if context.pointee.err != 0 {
            throw .connection("\(url.host):\(url.port): \(Self.errorText(context))")
        }
        redisSetTimeout(context, timeout)
        timeout = timeval()
        var setup: [[String]] = []
        if let password = url.password { setup.append(["AUTH", password]) }
        if url.database != 0 { setup.append(["SELECT", String(url.database)]) }
        for reply in try pipeline(setup) {
            if case .error(let reason) = reply { throw .server(reason) }
        }
    }

    deinit { redisFree(context) }

    /// Sends every command, then reads every reply, in order (one round trip for the batch).
    /// Error replies come back as `.error` values; a broken connection throws.
    func pipeline(_ commands: [[String]]) throws(RedisError) -> [RedisReply] {
        try append(commands)
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let raw else {
                throw .connection(Self.errorText(context))
            }
            let reply = raw.assumingMemoryBound(to: redisReply.self)
            replies.append(Self.convert(reply))
            freeReplyObject(raw)
        }
        return replies
    }

    /// Appends the whole batch to hiredis' output buffer in one call, encoded as RESP arrays of
    /// bulk strings (what `redisAppendCommandArgv` would produce per command, without a
    /// formatting allocation per command).
    private func append(_ commands: [[String]]) throws(RedisError) {
        var wire: [UInt8] = []
        wire.reserveCapacity(commands.reduce(0) { total, command in command.reduce(total + 16) { $0 + $1.utf8.count + 16 } })
        for command in commands {
            Self.appendLine(UInt8(ascii: "*"), command.count, to: &wire)
            for argument in command {
                Self.appendLine(UInt8(ascii: "$"), argument.utf8.count, to: &wire)
                wire.append(contentsOf: argument.utf8)
                wire.append(contentsOf: [13, 10])
            }
        }
        guard !wire.isEmpty else { return }
        let status = wire.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { redisAppendFormattedCommand(context, $0.baseAddress, $0.count) }
        }
        guard status == REDIS_OK else { throw .connection(Self.errorText(context)) }
    }

    /// `<marker><count>\r\n`, the count in decimal.
    private static func appendLine(_ marker: UInt8, _ count: Int, to wire: inout [UInt8]) {
        wire.append(marker)
        let start = wire.count
        var rest = count
        repeat {
            wire.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        wire[start...].reverse()
        wire.append(contentsOf: [13, 10])
    }

    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_STATUS: return .status(text(value))
        case REDIS_REPLY_ERROR: return .error(text(value))
        case REDIS_REPLY_INTEGER: return .integer(value.integer)
        case REDIS_REPLY_STRING:
            guard let bytes = value.str else { return .bulk([]) }
            return .bulk(Array(UnsafeRawBufferPointer(start: bytes, count: Int(value.len))))
        case REDIS_REPLY_ARRAY:
            guard let elements = value.element else { return .array([]) }
            return .array((0..<Int(value.elements)).compactMap { index in elements[index].map(convert) })
        default: return .null
        }
    }

    private static func text(_ reply: redisReply) -> String {
        guard let bytes = reply.str else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: Int(reply.len)), as: UTF8.self)
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
