import NIOCore

/// The time a benchmark message was due to be sent, in the first 8 bytes of its body (NIO's
/// monotonic clock, nanoseconds), so a consumer in the same process reads the message's
/// end-to-end latency without any clock synchronisation.
enum BenchmarkStamp {
    /// Bodies must have at least this many bytes to carry a stamp.
    static let size = 8

    static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

    static func write(_ nanoseconds: UInt64, into body: inout ByteBuffer) {
        body.setInteger(nanoseconds, at: body.readerIndex)
    }

    /// Nanoseconds from the stamp in `body` to `now` (0 for a stamp from the future), or nil
    /// when the body is too short to carry one.
    static func latency(of body: ByteBuffer, at now: UInt64) -> UInt64? {
        guard let stamp = body.getInteger(at: body.readerIndex, as: UInt64.self) else { return nil }
        return now >= stamp ? now - stamp : 0
    }
}
