import AMQPWire
import Broker
import Foundation
import Hummingbird

/// Queues, exchanges and bindings: list, show, create, delete, purge.
extension ManagementAPI {
    func registerQueues(on router: Router<ManagementContext>) {
        router.get("/api/queues") { request, context in
            let scope = try auth.scope(request, context)
            let (query, list) = (try RateQuery.parse(request), try ListQuery.parse(request))
            return try JSONResponse.ok(try list.answer(try await read { $0.queueSnapshots() }.filter { scope.shows(vhost: $0.vhost) }.map {
                JSONResponse.queue($0, rates: rates, query: query)
            }))
        }
        router.get("/api/queues/:vhost") { request, context in
            let scope = try auth.scope(request, context)
            let vhost = try RequestInput.name("vhost", context)
            try scope.require(vhost: vhost)
            guard try await read({ $0.vhost(vhost) != nil }) else { throw APIError.notFound }
            let (query, list) = (try RateQuery.parse(request), try ListQuery.parse(request))
            return try JSONResponse.ok(try list.answer(try await read { $0.queueSnapshots(vhost: vhost) }.map {
                JSONResponse.queue($0, rates: rates, query: query)
            }))
        }
        router.get("/api/queues/:vhost/:name") { request, context in
            let scope = try auth.scope(request, context)
            let (vhost, name) = (try RequestInput.name("vhost", context), try RequestInput.name("name", context))
            try scope.require(vhost: vhost)
            guard let queue = try await read({ $0.queueSnapshots(vhost: vhost).first { $0.name == name } }) else { throw APIError.notFound }
            return try JSONResponse.ok(JSONResponse.queue(queue, rates: rates, query: try RateQuery.parse(request)))
        }
        router.put("/api/queues/:vhost/:name") { request, context in
            _ = try auth.administrator(request, context)
            var request = request
            let (vhost, name) = (try RequestInput.name("vhost", context), try RequestInput.name("name", context))
            let body = try await RequestInput.object(&request, upTo: maxBodySize)
            let durable = try RequestInput.bool(body, "durable", default: true)
            let autoDelete = try RequestInput.bool(body, "auto_delete", default: false)
            let arguments = try RequestInput.arguments(body)
            try await change { broker throws(AMQPError) in
                try broker.manageDeclareQueue(vhost: vhost, queue: name, durable: durable, autoDelete: autoDelete, arguments: arguments)
            }
            return JSONResponse.created()
        }
        router.delete("/api/queues/:vhost/:name") { request, context in
            _ = try auth.administrator(request, context)
            let (vhost, name) = (try RequestInput.name("vhost", context), try RequestInput.name("name", context))
            try await change { broker throws(AMQPError) in try broker.manageDeleteQueue(vhost: vhost, queue: name) }
            return JSONResponse.noContent()
        }
        router.delete("/api/queues/:vhost/:name/contents") { request, context in
            _ = try auth.administrator(request, context)
            let (vhost, name) = (try RequestInput.name("vhost", context), try RequestInput.name("name", context))
            _ = try await change { broker throws(AMQPError) in try broker.managePurgeQueue(vhost: vhost, queue: name) }
            return JSONResponse.noContent()
        }
    }

    func registerExchanges(on router: Router<ManagementContext>) {
        router.get("/api/exchanges") { request, context in
            let scope = try auth.scope(request, context)
            let (query, list) = (try RateQuery.parse(request), try ListQuery.parse(request))
            return try JSONResponse.ok(try list.answer(try await read { $0.exchangeSnapshots() }.filter { scope.shows(vhost: $0.vhost) }.map {
                JSONResponse.exchange($0, rates: rates, query: query)
            }))
        }
        router.get("/api/exchanges/:vhost") { request, context in
            let scope = try auth.scope(request, context)
            let vhost = try RequestInput.name("vhost", context)
            try scope.require(vhost: vhost)
            guard try await read({ $0.vhost(vhost) != nil }) else { throw APIError.notFound }
            let (query, list) = (try RateQuery.parse(request), try ListQuery.parse(request))
            return try JSONResponse.ok(try list.answer(try await read { $0.exchangeSnapshots(vhost: vhost) }.map {
                JSONResponse.exchange($0, rates: rates, query: query)
            }))
        }
        router.get("/api/exchanges/:vhost/:name") { request, context in
            let scope = try auth.scope(request, context)
            let vhost = try RequestInput.name("vhost", context)
            let name = try RequestInput.exchangeName(context)
            try scope.require(vhost: vhost)
            guard let exchange = try await read({ $0.exchangeSnapshots(vhost: vhost).first { $0.name == name } }) else {
                throw APIError.notFound
            }
            return try JSONResponse.ok(JSONResponse.exchange(exchange, rates: rates, query: try RateQuery.parse(request)))
        }
        router.put("/api/exchanges/:vhost/:name") { request, context in
            _ = try auth.administrator(request, context)
            var request = request
            let (vhost, name) = (try RequestInput.name("vhost", context), try RequestInput.name("name", context))
            let body = try await RequestInput.object(&request, upTo: maxBodySize)
            guard let type = body["type"] as? String else { throw APIError.badRequest("type is required") }
            let durable = try RequestInput.bool(body, "durable", default: true)
            let autoDelete = try RequestInput.bool(body, "auto_delete", default: false)
            let isInternal = try RequestInput.bool(body, "internal", default: false)
            let arguments = try RequestInput.arguments(body)
            try await change { broker throws(AMQPError) in
                try broker.manageDeclareExchange(vhost: vhost, exchange: name, type: type, durable: durable,
                                                 autoDelete: autoDelete, internal: isInternal, arguments: arguments)
            }
            return JSONResponse.created()
        }
        router.delete("/api/exchanges/:vhost/:name") { request, context in
            _ = try auth.administrator(request, context)
            let (vhost, name) = (try RequestInput.name("vhost", context), try RequestInput.name("name", context))
            try await change { broker throws(AMQPError) in try broker.manageDeleteExchange(vhost: vhost, exchange: name) }
            return JSONResponse.noContent()
        }
    }

    func registerBindings(on router: Router<ManagementContext>) {
        router.get("/api/bindings") { request, context in
            let scope = try auth.scope(request, context)
            return try JSONResponse.ok(try await read { $0.bindingSnapshots() }.filter { scope.shows(vhost: $0.vhost) }.map(JSONResponse.binding))
        }
        router.get("/api/bindings/:vhost") { request, context in
            let scope = try auth.scope(request, context)
            let vhost = try RequestInput.name("vhost", context)
            try scope.require(vhost: vhost)
            guard try await read({ $0.vhost(vhost) != nil }) else { throw APIError.notFound }
            return try JSONResponse.ok(try await read { $0.bindingSnapshots(vhost: vhost) }.map(JSONResponse.binding))
        }
        for kind in ["q", "e"] {
            router.post("/api/bindings/:vhost/e/:source/\(kind)/:destination") { request, context in
                _ = try auth.administrator(request, context)
                var request = request
                let vhost = try RequestInput.name("vhost", context)
                let (source, destination) = (try RequestInput.name("source", context), try RequestInput.name("destination", context))
                let body = try await RequestInput.object(&request, upTo: maxBodySize)
                let key = try RequestInput.shortString(body["routing_key"] as? String ?? "", "routing_key")
                let arguments = try RequestInput.arguments(body)
                try await change { broker throws(AMQPError) in
                    try broker.manageBind(vhost: vhost, source: source, destination: destination,
                                          destinationType: kind == "q" ? "queue" : "exchange", routingKey: key, arguments: arguments)
                }
                return JSONResponse.created()
            }
            router.delete("/api/bindings/:vhost/e/:source/\(kind)/:destination/:props") { request, context in
                _ = try auth.administrator(request, context)
                let vhost = try RequestInput.name("vhost", context)
                let (source, destination) = (try RequestInput.name("source", context), try RequestInput.name("destination", context))
                let props = try RequestInput.parameter("props", context)
                let type = kind == "q" ? "queue" : "exchange"
                // The binding whose `properties_key` is `props`; as before, a binding without arguments is
                // also found by its routing key as it is (`~`: the empty one).
                let bindings = try await read { $0.bindingSnapshots(vhost: vhost) }.filter {
                    $0.source == source && $0.destination == destination && $0.destinationType == type
                }
                let binding = bindings.first { JSONResponse.propertiesKey($0) == props }
                    ?? bindings.first { $0.arguments.entries.isEmpty && $0.routingKey == (props == "~" ? "" : props) }
                try await change { broker throws(AMQPError) in
                    try broker.manageBind(vhost: vhost, source: source, destination: destination, destinationType: type,
                                          routingKey: binding?.routingKey ?? props, arguments: binding?.arguments ?? [:], unbind: true)
                }
                return JSONResponse.noContent()
            }
        }
    }

    func registerDefinitions(on router: Router<ManagementContext>) {
        router.get("/api/definitions") { request, context in
            _ = try auth.administrator(request, context)
            return try JSONResponse.ok(try await exportedDefinitions())
        }
        router.post("/api/definitions") { request, context in
            _ = try auth.administrator(request, context)
            var request = request
            let data = try await RequestInput.data(&request, upTo: maxBodySize)
            let definitions = try RequestInput.definitions(try DefinitionsDocument.normalized(data, vhost: nil))
            try await change { broker throws(AMQPError) in try broker.importDefinitions(definitions) }
            return JSONResponse.noContent()
        }
    }
}
