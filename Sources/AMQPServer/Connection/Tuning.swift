/// The limits a connection runs under: what the server proposes in connection.tune and what
/// the client accepted in tune-ok.
public struct Tuning: Sendable, Equatable {
    public var channelMax: UInt16
    public var frameMax: UInt32
    /// Heartbeat interval in seconds; 0 disables heartbeats.
    public var heartbeat: UInt16

    /// RabbitMQ's defaults: 2047 channels, 128 KiB frames, 60 s heartbeat.
    public static let rabbitDefaults = Tuning(channelMax: 2047, frameMax: 131_072, heartbeat: 60)

    public init(channelMax: UInt16, frameMax: UInt32, heartbeat: UInt16) {
        self.channelMax = channelMax
        self.frameMax = frameMax
        self.heartbeat = heartbeat
    }
}
