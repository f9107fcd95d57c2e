import Testing

@testable import TLS

/// Loading a listener's files: a working pair builds a context, and every broken file is a precise
/// error naming the key and the file, never its contents.
@Suite struct TLSSettingsTests {
    let files = try! TestCertificates.files()

    @Test func aMatchingCertificateAndKeyBuildAContext() throws {
        _ = try TLSSettings(certificateChainFile: files.certificate, privateKeyFile: files.key).makeContext()
        _ = try TLSSettings(certificateChainFile: files.certificate, privateKeyFile: files.key, caFile: files.certificate,
                            minimumVersion: .tls13, verification: .required).makeContext()
    }

    /// The error `settings` fail with, or nil when they build a context.
    static func failure(_ settings: TLSSettings) -> TLSSetupError? {
        do {
            _ = try settings.makeContext()
            return nil
        } catch {
            return error
        }
    }

    @Test func aMissingFileIsUnreadableAndNamed() {
        let error = Self.failure(TLSSettings(certificateChainFile: "/nonexistent/cert.pem", privateKeyFile: files.key))
        #expect(error?.kind == .unreadable)
        #expect(error?.description.hasPrefix("certificate_chain_file /nonexistent/cert.pem cannot be read") == true)
    }

    @Test func aKeyThatDoesNotFitTheCertificateIsRefused() {
        let error = Self.failure(TLSSettings(certificateChainFile: files.certificate, privateKeyFile: files.other))
        #expect(error?.kind == .invalid)
        #expect(error?.description.contains("does not fit") == true)
    }

    @Test func aCertificateWhereTheKeyShouldBeIsNotAKey() {
        let settings = TLSSettings(certificateChainFile: files.certificate, privateKeyFile: files.certificate)
        #expect(Self.failure(settings) == TLSSetupError(.invalid, "private_key_file \(files.certificate) holds no unencrypted PEM private key"))
    }

    @Test func verifyingClientsNeedsACAFile() {
        let settings = TLSSettings(certificateChainFile: files.certificate, privateKeyFile: files.key, verification: .optional)
        #expect(Self.failure(settings) == TLSSetupError(.invalid, "verify = \"optional\" needs ca_file (the CAs client certificates must chain to)"))
    }

    @Test func aFailedReloadKeepsTheContext() throws {
        let tls = try ServerTLS(settings: TLSSettings(certificateChainFile: files.certificate, privateKeyFile: files.key),
                                listener: "test")
        try "garbage".write(toFile: files.key, atomically: true, encoding: .utf8)
        #expect(throws: TLSSetupError.self) { try tls.reload() }
    }
}
