import AMQPServer
import Broker
import Foundation
import Hummingbird

/// `/api/nodes`: the one node warren is, with the fields RabbitMQ's API gives and tools read
/// (memory, disk, file descriptors, sockets, uptime, alarms); and the node-wide parts of `/api/overview`.
extension ManagementAPI {
    func registerNodes(on router: Router<ManagementContext>) {
        router.get("/api/nodes") { request, context in
            _ = try auth.user(request, context)
            return try JSONResponse.ok([nodeStatus()])
        }
        router.get("/api/nodes/:name") { request, context in
            _ = try auth.user(request, context)
            guard try RequestInput.name("name", context) == JSONResponse.node else { throw APIError.notFound }
            return try JSONResponse.ok(nodeStatus())
        }
    }

    /// One node as RabbitMQ describes it. Erlang's processes are stood for by the process's threads,
    /// out of RabbitMQ's default process limit; `run_queue` is 0 (there are no Erlang schedulers).
    private func nodeStatus() -> [String: Any] {
        let process = ProcessStatus.current()
        let alarm = runtime.alarm.current
        let sockets = metrics.admission
        let memory = MemoryUse.residentBytes() ?? 0
        return [
            "name": JSONResponse.node, "type": "disc", "running": true,
            "os_pid": String(ProcessInfo.processInfo.processIdentifier),
            "mem_used": memory, "mem_limit": node.resources.memoryHighWatermark, "mem_alarm": alarm == .memory,
            "mem_calculation_strategy": "rss",
            "disk_free": ResourceMonitor.freeDisk(node.resources.dataDirectory) ?? 0,
            "disk_free_limit": node.resources.diskFreeLimit, "disk_free_alarm": alarm == .disk,
            "fd_used": process.fileDescriptors, "fd_total": process.fileDescriptorLimit,
            "sockets_used": sockets.current.sockets, "sockets_total": sockets.limits.connectionMax,
            "proc_used": process.threads, "proc_total": 1_048_576, "run_queue": 0, "processors": process.processors,
            "uptime": uptimeMilliseconds, "net_ticktime": 60, "rates_mode": "basic", "partitions": [String](),
            "db_dir": node.resources.dataDirectory, "config_files": [String](), "log_files": [String](),
            "enabled_plugins": ["rabbitmq_management", "rabbitmq_prometheus"],
            "exchange_types": exchangeTypes, "auth_mechanisms": authMechanisms,
            "applications": [["name": "warren", "description": "warren log router and AMQP broker", "version": Self.version]],
            "contexts": contexts, "cluster_links": [String](),
        ]
    }

    /// The node-wide fields of `/api/overview`, beside its object and queue totals.
    func overviewNodeFields() -> [String: Any] {
        [
            "listeners": node.listeners.map { listener in
                ["node": JSONResponse.node, "protocol": listener.protocolName, "ip_address": listener.ip,
                 "port": listener.port, "socket_opts": [String: Any]()] as [String: Any]
            },
            "contexts": contexts, "exchange_types": exchangeTypes, "rates_mode": "basic",
            "erlang_version": "none", "erlang_full_version": "none (warren is written in Swift)",
            "statistics_db_event_queue": 0, "disable_stats": false, "enable_queue_totals": true,
            "sample_retention_policies": ["global": [600, 3600], "basic": [60], "detailed": [60]],
        ]
    }

    private var uptimeMilliseconds: Int {
        Int(clamping: Int64((Date().timeIntervalSince(node.startedAt) * 1000).rounded(.down)))
    }

    private var contexts: [[String: Any]] {
        node.listeners.filter { $0.protocolName == "http" }.map {
            ["node": JSONResponse.node, "description": "RabbitMQ Management", "path": "/", "port": String($0.port)]
        }
    }

    private var exchangeTypes: [[String: Any]] {
        [("direct", "AMQP direct exchange, as per the AMQP specification"),
         ("fanout", "AMQP fanout exchange, as per the AMQP specification"),
         ("headers", "AMQP headers exchange, as per the AMQP specification"),
         ("topic", "AMQP topic exchange, as per the AMQP specification")].map {
            ["name": $0.0, "description": $0.1, "enabled": true]
        }
    }

    private var authMechanisms: [[String: Any]] {
        [("PLAIN", "SASL PLAIN authentication mechanism"), ("AMQPLAIN", "QPid AMQPLAIN mechanism")].map {
            ["name": $0.0, "description": $0.1, "enabled": true]
        }
    }

    static let version = "0.1.0"
}
