import Crypto
import Foundation

/// A password stored the way RabbitMQ stores it (`rabbit_password_hashing_sha256`):
/// base64 of a 4-byte random salt followed by SHA-256(salt + UTF-8 password).
public struct PasswordHash: Sendable, Equatable {
    public let salt: [UInt8]
    public let digest: [UInt8]

    /// Hashes a clear-text password with a fresh random salt.
    public init(password: String) {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<4).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        self.init(salt: salt, password: password)
    }

    init(salt: [UInt8], password: String) {
        self.salt = salt
        self.digest = Array(SHA256.hash(data: salt + Array(password.utf8)))
    }

    /// Reads a hash in RabbitMQ's base64 form (as found in its definitions export).
    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64), data.count == 4 + SHA256.byteCount else { return nil }
        self.salt = Array(data.prefix(4))
        self.digest = Array(data.dropFirst(4))
    }

    /// The base64 form RabbitMQ writes as `password_hash`.
    public var base64: String { Data(salt + digest).base64EncodedString() }

    /// Whether the password matches, compared in constant time.
    public func matches(_ password: String) -> Bool {
        let candidate = Array(SHA256.hash(data: salt + Array(password.utf8)))
        return zip(candidate, digest).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0 && candidate.count == digest.count
    }
}
