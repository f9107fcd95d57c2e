import Dispatch

/// The send time written at the start of a message body, read back by the consumer on the same
/// clock (one process, monotonic nanoseconds), so latency needs no clock synchronisation.
enum MessageStamp {
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// A body of `size` bytes (at least the stamp) starting with `stamp` and a "|".
    static func body(stamp: UInt64, size: Int) -> String {
        let text = String(stamp)
        return text + "|" + String(repeating: "x", count: max(0, size - text.count - 1))
    }

    /// The stamp at the start of `body`, or nil when there is none.
    static func stamp<Bytes: Collection<UInt8>>(in body: Bytes) -> UInt64? {
        var value: UInt64 = 0
        var digits = 0
        for byte in body {
            guard byte != UInt8(ascii: "|") else { return digits > 0 ? value : nil }
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte), digits < 19 else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
            digits += 1
        }
        return nil
    }
}
