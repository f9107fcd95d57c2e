import Broker
import Crypto
import Foundation

/// A password stored the way RabbitMQ stores it: base64 of a 4-byte random salt followed by
/// SHA-256 (`rabbit_password_hashing_sha256`, the default) or SHA-512
/// (`rabbit_password_hashing_sha512`) of salt + UTF-8 password.
public struct PasswordHash: Sendable, Equatable {
    /// RabbitMQ's hashing modules warren reads.
    public enum Algorithm: String, Sendable {
        case sha256 = "rabbit_password_hashing_sha256"
        case sha512 = "rabbit_password_hashing_sha512"

        var digestSize: Int { self == .sha256 ? SHA256.byteCount : SHA512.byteCount }

        func digest(_ bytes: [UInt8]) -> [UInt8] {
            self == .sha256 ? Array(SHA256.hash(data: bytes)) : Array(SHA512.hash(data: bytes))
        }
    }

    public let algorithm: Algorithm
    public let salt: [UInt8]
    public let digest: [UInt8]

    /// Hashes a clear-text password with a fresh random salt.
    public init(password: String, algorithm: Algorithm = .sha256) {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<4).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        self.init(salt: salt, password: password, algorithm: algorithm)
    }

    init(salt: [UInt8], password: String, algorithm: Algorithm = .sha256) {
        self.algorithm = algorithm
        self.salt = salt
        self.digest = algorithm.digest(salt + Array(password.utf8))
    }

    /// Reads a hash in RabbitMQ's base64 form (as found in its definitions export).
    public init?(base64: String, algorithm: Algorithm = .sha256) {
        guard let data = Data(base64Encoded: base64), data.count == 4 + algorithm.digestSize else { return nil }
        self.algorithm = algorithm
        self.salt = Array(data.prefix(4))
        self.digest = Array(data.dropFirst(4))
    }

    /// A stored user's hash; nil when it has none or it cannot be read.
    public init?(of user: UserAccount) {
        guard let algorithm = Algorithm(rawValue: user.hashingAlgorithm) else { return nil }
        self.init(base64: user.passwordHash, algorithm: algorithm)
    }

    /// The base64 form RabbitMQ writes as `password_hash`.
    public var base64: String { Data(salt + digest).base64EncodedString() }

    /// Whether the password matches, compared in constant time.
    public func matches(_ password: String) -> Bool {
        let candidate = algorithm.digest(salt + Array(password.utf8))
        return zip(candidate, digest).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0 && candidate.count == digest.count
    }
}
