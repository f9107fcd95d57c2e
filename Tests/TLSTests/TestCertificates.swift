import Crypto
import Foundation
import X509

/// Self-signed certificates made in memory for the TLS unit tests.
enum TestCertificates {
    static func make(commonNames: [String], alternativeNames: [GeneralName] = [],
                     key: P256.Signing.PrivateKey = P256.Signing.PrivateKey()) throws -> Certificate {
        let subject = try DistinguishedName {
            OrganizationName("warren tests")
            for name in commonNames { CommonName(name) }
        }
        let extensions = try Certificate.Extensions {
            if !alternativeNames.isEmpty { SubjectAlternativeNames(alternativeNames) }
        }
        let now = Date()
        return try Certificate(version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
                               notValidBefore: now - 60, notValidAfter: now + 3600, issuer: subject, subject: subject,
                               signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions, issuerPrivateKey: .init(key))
    }

    /// Writes a certificate and its key as PEM files into a fresh directory; returns their paths.
    static func files(commonName: String = "localhost") throws -> (certificate: String, key: String, other: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warren-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let key = P256.Signing.PrivateKey()
        let certificate = try make(commonNames: [commonName], key: key)
        let paths = (certificate: directory.appendingPathComponent("cert.pem").path,
                     key: directory.appendingPathComponent("key.pem").path,
                     other: directory.appendingPathComponent("other-key.pem").path)
        try certificate.serializeAsPEM().pemString.write(toFile: paths.certificate, atomically: true, encoding: .utf8)
        try key.pemRepresentation.write(toFile: paths.key, atomically: true, encoding: .utf8)
        try P256.Signing.PrivateKey().pemRepresentation.write(toFile: paths.other, atomically: true, encoding: .utf8)
        return paths
    }
}
