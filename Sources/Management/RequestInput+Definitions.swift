import Broker
import Foundation

extension RequestInput {
    /// An uploaded definitions document (`POST /api/definitions`), held to what the API's own
    /// declares accept: names and routing keys of at most 255 bytes, arguments an AMQP field table
    /// can carry; 400 otherwise, before anything is imported.
    static func definitions(_ data: Data) throws -> Definitions {
        let definitions: Definitions
        do {
            definitions = try JSONDecoder().decode(Definitions.self, from: data)
        } catch {
            throw APIError.badRequest("invalid definitions: \(error)")
        }
        for vhost in definitions.vhosts { _ = try shortString(vhost.name, "vhost name") }
        for exchange in definitions.exchanges {
            _ = try shortString(exchange.name, "exchange name")
            _ = try carriedByAMQP(exchange.arguments.table)
        }
        for queue in definitions.queues {
            _ = try shortString(queue.name, "queue name")
            _ = try carriedByAMQP(queue.arguments.table)
        }
        for binding in definitions.bindings {
            for (value, what) in [(binding.source, "source"), (binding.destination, "destination"), (binding.routingKey, "routing_key")] {
                _ = try shortString(value, what)
            }
            _ = try carriedByAMQP(binding.arguments.table)
        }
        for policy in (definitions.policies ?? []) + definitions.operatorPolicies {
            _ = try shortString(policy.name, "policy name")
            _ = try carriedByAMQP(policy.definition.table)
        }
        return definitions
    }
}
