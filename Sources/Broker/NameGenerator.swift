/// Server-chosen names in RabbitMQ's forms: `amq.gen-…` queues and `amq.ctag-…` consumer tags.
struct NameGenerator {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    private var generator = SystemRandomNumberGenerator()

    mutating func queueName() -> String { "amq.gen-" + randomSuffix() }
    mutating func consumerTag() -> String { "amq.ctag-" + randomSuffix() }
    /// The secret part of a direct reply-to name.
    mutating func replySuffix() -> String { randomSuffix() }

    private mutating func randomSuffix() -> String {
        String((0..<22).map { _ in Self.alphabet[Int.random(in: 0..<Self.alphabet.count, using: &generator)] })
    }
}
