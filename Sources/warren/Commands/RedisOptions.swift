import ArgumentParser
import Redis

/// `--redis URL` for the commands that read what the bridge wrote.
struct RedisOptions: ParsableArguments {
    @Option(help: "The Redis the bridge writes to.") var redis = "redis://127.0.0.1:6379"

    func client() throws -> RedisClient {
        guard let url = RedisURL(redis) else {
            throw ValidationError("--redis must be redis://host[:port][/db], got '\(redis)'")
        }
        return RedisClient(url: url)
    }
}
