import NIOCore

/// Closes a client connection on which nothing arrived for two heartbeat intervals, so a server that
/// vanished without closing its socket (a partitioned or frozen node) is noticed; the server's own
/// heartbeats keep an idle but healthy connection open (AMQP 0-9-1 §4.2.7).
final class SilenceWatch: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let interval: TimeAmount
    private var lastRead = NIODeadline.uptimeNanoseconds(0)
    private var check: RepeatedTask?

    init(heartbeatSeconds: UInt16) {
        interval = .seconds(Int64(heartbeatSeconds))
    }

    func channelActive(context: ChannelHandlerContext) {
        lastRead = context.eventLoop.now
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        check = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            let (watch, context) = loopBound.value
            guard context.eventLoop.now - watch.lastRead > watch.interval * 2 else { return }
            context.fireErrorCaught(SilenceError.serverSilent(seconds: watch.interval.nanoseconds / 1_000_000_000 * 2))
            context.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastRead = context.eventLoop.now
        context.fireChannelRead(data)
    }
}

/// Why `SilenceWatch` closed a connection.
enum SilenceError: Error, CustomStringConvertible {
    case serverSilent(seconds: Int64)

    var description: String {
        switch self {
        case .serverSilent(let seconds): "nothing from the server for \(seconds) s (missed heartbeats)"
        }
    }
}
