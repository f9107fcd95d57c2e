import Foundation
import Hummingbird
import NIOCore
import Upstream

/// `/api/upstreams`: the state of every forwarder to a RabbitMQ cluster (Docs/upstreams.md).
extension ManagementAPI {
    func registerUpstreams(on router: Router<ManagementContext>) {
        router.get("/api/upstreams") { request, context in
            _ = try auth.user(request, context)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(upstreams.snapshot()))))
        }
    }
}
