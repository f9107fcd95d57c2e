import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// A started `warren compare` run for `POST /api/compare`: reports progress lines, then returns
/// the result as a JSON object (text).
public typealias CompareJob = @Sendable (_ progress: @escaping @Sendable (String) -> Void) async throws -> String

/// Turns a request body into a job, or throws an error whose description is the 400 reason. The
/// warren executable supplies it (the comparison lives there); nil disables the route.
public typealias CompareRunner = @Sendable (_ body: ByteBuffer) throws -> CompareJob

/// `POST /api/compare` (administrator only): runs one comparison at a time and streams it as JSON
/// lines (`application/x-ndjson`): `{"event":"progress","message":…}` lines, then one
/// `{"event":"result","result":{…}}` or `{"event":"error","reason":…}` line.
struct CompareEndpoint: Sendable {
    let runner: CompareRunner
    let auth: Authorization
    let maxBodySize: Int
    private let running = RunningFlag()

    init(runner: @escaping CompareRunner, auth: Authorization, maxBodySize: Int) {
        self.runner = runner
        self.auth = auth
        self.maxBodySize = maxBodySize
    }

    func register(on router: Router<ManagementContext>) {
        router.post("/api/compare") { request, context in
            _ = try auth.administrator(request, context)
            var request = request
            let body = try await RequestInput.body(&request, upTo: maxBodySize)
            let job: CompareJob
            do {
                job = try runner(body)
            } catch {
                throw APIError.badRequest("\(error)")
            }
            guard running.claim() else {
                throw APIError(status: .conflict, error: "conflict", reason: "a comparison is already running; try again when it has finished")
            }
            return response(running: job)
        }
    }

    /// Starts the job at once (so the flag is released when it ends, whatever the client does) and
    /// streams its lines; a client that leaves stops the stream, not the run.
    private func response(running job: @escaping CompareJob) -> Response {
        let (lines, sink) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingOldest(10_000))
        let running = running
        Task {
            defer { running.release() }
            do {
                let result = try await job { sink.yield(Self.line(["event": "progress", "message": $0])) }
                sink.yield("{\"event\":\"result\",\"result\":\(result)}\n")
            } catch {
                sink.yield(Self.line(["event": "error", "reason": "\(error)"]))
            }
            sink.finish()
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/x-ndjson"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            for await line in lines { try await writer.write(ByteBuffer(string: line)) }
            try await writer.finish(nil)
        })
    }

    private static func line(_ object: [String: String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// Whether a comparison is running: at most one at a time, across requests.
final class RunningFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    /// True when this caller may run (and now holds the flag).
    func claim() -> Bool { flag.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged }

    func release() { flag.store(false, ordering: .releasing) }
}
