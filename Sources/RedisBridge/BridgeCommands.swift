/// The Redis commands for one batch of entries, as one MULTI/EXEC transaction that also records
/// the batch's id, so a batch replayed after a lost reply is recognised (Docs/redis-bridge.md).
enum BridgeCommands {
    /// The key holding the id of the last batch Redis applied.
    static let appliedBatchKey = "warren:bridge:applied"
    /// Rate fields older than this many minutes are trimmed; the hash itself expires after a day idle.
    static let rateWindowMinutes: Int64 = 1440

    static func transaction(for entries: [BridgeEntry], batchID: String, recentLimit: Int) -> [[String]] {
        var commands: [[String]] = [["MULTI"]]
        var recentKeys: [String] = []
        var rateKeys: Set<String> = []
        for entry in entries {
            let key = entry.routingKey
            commands.append(["INCR", "warren:count:\(key)"])
            commands.append(["HINCRBY", "warren:count:\(entry.facility)", entry.severity, "1"])
            let rateKey = "warren:rate:\(key)"
            commands.append(["HINCRBY", rateKey, String(entry.minute), "1"])
            if rateKeys.insert(rateKey).inserted {
                commands.append(["HDEL", rateKey, String(entry.minute - rateWindowMinutes)])
                commands.append(["EXPIRE", rateKey, String((rateWindowMinutes + 60) * 60)])
            }
            let recentKey = "warren:recent:\(key)"
            commands.append(["LPUSH", recentKey, entry.json])
            if !recentKeys.contains(recentKey) { recentKeys.append(recentKey) }
            commands.append(["LPUSH", "warren:recent:all", entry.json])
            if let host = entry.hostname {
                commands.append(["HSET", "warren:host:\(host)", "last_seen", entry.receivedAt, "last_severity", entry.severity])
            }
        }
        for key in recentKeys + ["warren:recent:all"] {
            commands.append(["LTRIM", key, "0", String(recentLimit - 1)])
        }
        commands.append(["SET", appliedBatchKey, batchID])
        commands.append(["EXEC"])
        return commands
    }
}
