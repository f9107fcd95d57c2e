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
        for command in commands {
            try append(command)
        }
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

    /// Appends one command to hiredis' output buffer: the arguments are copied once into one
    /// contiguous buffer, and hiredis formats them from there.
    private func append(_ command: [String]) throws(RedisError) {
        var bytes: [UInt8] = []
        var offsets: [Int] = []
        var lengths: [Int] = []
        offsets.reserveCapacity(command.count)
        lengths.reserveCapacity(command.count)
        for argument in command {
            offsets.append(bytes.count)
            bytes.append(contentsOf: argument.utf8)
            lengths.append(bytes.count - offsets[offsets.count - 1])
        }
        bytes.append(0)  // never empty, so the buffer always has a base address
        let status: Int32 = bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return REDIS_ERR }
            var pointers: [UnsafePointer<CChar>?] = offsets.map { UnsafeRawPointer(base + $0).assumingMemoryBound(to: CChar.self) }
            return redisAppendCommandArgv(context, Int32(command.count), &pointers, lengths)
        }
        guard status == REDIS_OK else { throw .connection(Self.errorText(context)) }
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
