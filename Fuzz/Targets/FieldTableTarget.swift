import AMQPWire
import NIOCore

extension FuzzTarget {
    /// Field tables with RabbitMQ's type tags, nested arrays and tables. Invariant: a table that
    /// decodes re-encodes to bytes that decode to the same table and re-encode to the same bytes.
    static let fieldTable = FuzzTarget(name: "field-table") { bytes in
        var input = ByteBuffer(bytes: bytes)
        guard let table = try? input.readFieldTable() else { return nil }
        var encoded = ByteBuffer()
        encoded.writeFieldTable(table)
        let first = Array(encoded.readableBytesView)
        guard let again = try? encoded.readFieldTable(), encoded.readableBytes == 0 else {
            return "a re-encoded table does not decode exactly: \(table)"
        }
        if "\(again)" != "\(table)" { return "a table changes when re-encoded: \(table) became \(again)" }
        var reencoded = ByteBuffer()
        reencoded.writeFieldTable(again)
        return Array(reencoded.readableBytesView) == first ? nil : "a table re-encodes to other bytes: \(table)"
    }

    /// Basic properties as a content header carries them (flags word, then the present fields).
    static let basicProperties = FuzzTarget(name: "basic-properties") { bytes in
        WireRoundTrip.check(ContentHeader(bodySize: 0, propertyBytes: ByteBuffer(bytes: bytes)))
    }
}
