import AMQPServer
import AMQPWire
import Broker
import Foundation
import Hummingbird

/// `/api/policies` and `/api/operator-policies`: list, show, set and clear, as RabbitMQ's
/// management API has them (`rabbit_mgmt_wm_policies`, `rabbit_mgmt_wm_policy`).
extension ManagementAPI {
    func registerPolicies(on router: Router<ManagementContext>) {
        // Runtime parameters: warren's only component is RabbitMQ's `operator_policy`.
        router.get("/api/parameters") { request, context in
            _ = try auth.policymaker(request, context, kind: .operatorPolicy)
            return try JSONResponse.ok(try await read { $0.policies(kind: .operatorPolicy) }.map(JSONResponse.parameter))
        }
        for (path, kind) in [("policies", PolicyKind.policy), ("operator-policies", .operatorPolicy)] {
            router.get("/api/\(path)") { request, context in
                let scope = try auth.policymaker(request, context, kind: kind)
                return try JSONResponse.ok(try await read { $0.policies(kind: kind) }.filter { scope.shows(vhost: $0.vhost) }.map(JSONResponse.policy))
            }
            router.get("/api/\(path)/:vhost") { request, context in
                let scope = try auth.policymaker(request, context, kind: kind)
                let vhost = try RequestInput.name("vhost", context)
                try scope.require(vhost: vhost)
                guard try await read({ $0.vhost(vhost) != nil }) else { throw APIError.notFound }
                return try JSONResponse.ok(try await read { $0.policies(vhost: vhost, kind: kind) }.map(JSONResponse.policy))
            }
            router.get("/api/\(path)/:vhost/:name") { request, context in
                let scope = try auth.policymaker(request, context, kind: kind)
                let (vhost, name) = (try RequestInput.name("vhost", context), try RequestInput.name("name", context))
                try scope.require(vhost: vhost)
                guard let policy = try await read({ $0.policies(vhost: vhost, kind: kind).first { $0.name == name } }) else {
                    throw APIError.notFound
                }
                return try JSONResponse.ok(JSONResponse.policy(policy))
            }
            router.put("/api/\(path)/:vhost/:name") { request, context in
                let scope = try auth.policymaker(request, context, kind: kind)
                var request = request
                let (vhost, name) = (try RequestInput.name("vhost", context), try RequestInput.name("name", context))
                try scope.require(vhost: vhost)
                let policy = try RequestInput.policy(try await RequestInput.object(&request, upTo: maxBodySize), vhost: vhost, name: name)
                guard try await read({ $0.vhost(vhost) != nil }) else {
                    throw APIError(status: .notFound, error: "not_found", reason: "vhost_not_found")
                }
                let existed = try await change { broker throws(AMQPError) in
                    guard broker.vhost(vhost) != nil else { throw AMQPError(.notFound, "vhost_not_found") }
                    let existed = broker.policies(vhost: vhost, kind: kind).contains { $0.name == name }
                    do throws(AMQPError) {
                        try broker.setPolicy(policy, kind: kind)
                    } catch {
                        // RabbitMQ's runtime-parameter validation wraps the reason so.
                        throw AMQPError(error.code, "Validation failed\n\n\(error.text.dropFirst("\(error.code.name) - ".count))\n")
                    }
                    return existed
                }
                return existed ? JSONResponse.noContent() : JSONResponse.created()
            }
            router.delete("/api/\(path)/:vhost/:name") { request, context in
                let scope = try auth.policymaker(request, context, kind: kind)
                let (vhost, name) = (try RequestInput.name("vhost", context), try RequestInput.name("name", context))
                try scope.require(vhost: vhost)
                let cleared = try await change { broker throws(AMQPError) in broker.clearPolicy(vhost: vhost, policy: name, kind: kind) }
                guard cleared else { throw APIError.notFound }
                return JSONResponse.noContent()
            }
        }
    }
}

extension Authorization {
    /// What a user who may see and set policies sees, as RabbitMQ's management plugin authorises
    /// them: `administrator` and `policymaker` users only (else 401/403), scoped to the vhosts the
    /// user has permissions in; operator policies and runtime parameters need `administrator`.
    func policymaker(_ request: Request, _ context: ManagementContext, kind: PolicyKind = .policy) throws -> ViewScope {
        let scope = try scope(request, context)
        guard kind == .policy else {
            guard scope.user.tags.contains("administrator") else { throw APIError.notAdministrator }
            return scope
        }
        guard scope.user.tags.contains(where: { $0 == "administrator" || $0 == "policymaker" }) else {
            throw APIError(status: .forbidden, error: "not_authorised", reason: "Not policymaker user")
        }
        return scope
    }
}

extension RequestInput {
    /// A policy from a `PUT /api/policies/{vhost}/{name}` body (`pattern`, `definition`,
    /// `priority`, `apply-to`); 400 with RabbitMQ's validation texts when a key is missing or of
    /// the wrong type.
    static func policy(_ body: [String: Any], vhost: String, name: String) throws -> Policy {
        func failed(_ reason: String) -> APIError { APIError.badRequest("Validation failed\n\n\(reason)\n") }
        for key in ["pattern", "definition"] where body[key] == nil { throw APIError.badRequest("[{key_missing,\(key)}]") }
        guard let pattern = body["pattern"] as? String else { throw failed("pattern should be a string") }
        guard body["definition"] is [String: Any] else { throw failed("definition must be a dictionary") }
        let definition = try arguments(body, key: "definition")
        var priority = 0
        if let raw = body["priority"] {
            guard let exact = integer(raw) else {
                throw failed("priority should be a number, actually was \(String(describing: raw).prefix(64))")
            }
            priority = exact
        }
        let applyTo = body["apply-to"] ?? "all"
        guard let applyTo = applyTo as? String else { throw failed("apply-to should be a string") }
        return Policy(vhost: vhost, name: name, pattern: pattern, applyTo: applyTo, priority: priority, definition: definition)
    }
}

extension JSONResponse {
    /// An operator policy as the runtime parameter RabbitMQ stores it as (`/api/parameters`).
    static func parameter(_ policy: Policy) -> [String: Any] {
        ["vhost": policy.vhost, "component": RuntimeParameter.operatorPolicyComponent, "name": policy.name,
         "value": ["pattern": policy.pattern, "definition": table(policy.definition.table), "priority": policy.priority,
                   "apply-to": policy.applyTo] as [String: Any]]
    }

    /// A policy with RabbitMQ's field names.
    static func policy(_ policy: Policy) -> [String: Any] {
        ["vhost": policy.vhost, "name": policy.name, "pattern": policy.pattern, "apply-to": policy.applyTo,
         "definition": table(policy.definition.table), "priority": policy.priority]
    }
}
