import Testing
import X509

@testable import TLS

/// The user name SASL EXTERNAL takes from a certificate, as RabbitMQ's `ssl_cert_login_from` picks it.
@Suite struct CertificateLoginTests {
    let alice = try! TestCertificates.make(commonNames: ["alice"],
                                           alternativeNames: [.dnsName("alice.example.com"), .rfc822Name("alice@example.com"),
                                                              .dnsName("second.example.com")])

    @Test func commonNameIsTheDefault() {
        #expect(CertificateLogin().username(in: alice) == "alice")
    }

    @Test func severalCommonNamesAreJoinedWithCommas() throws {
        let certificate = try TestCertificates.make(commonNames: ["alice", "ops"])
        #expect(CertificateLogin().username(in: certificate) == "alice,ops")
    }

    @Test func distinguishedNameIsRFC4514MostSpecificFirst() {
        #expect(CertificateLogin(source: .distinguishedName).username(in: alice) == "CN=alice,O=warren tests")
    }

    @Test func subjectAlternativeNamesByTypeAndIndex() {
        #expect(CertificateLogin(source: .subjectAlternativeName).username(in: alice) == "alice.example.com")
        #expect(CertificateLogin(source: .subjectAlternativeName, sanIndex: 1).username(in: alice) == "second.example.com")
        #expect(CertificateLogin(source: .subjectAlternativeName, sanType: .email).username(in: alice) == "alice@example.com")
        #expect(CertificateLogin(source: .subjectAlternativeName, sanIndex: 2).username(in: alice) == nil)
        #expect(CertificateLogin(source: .subjectAlternativeName, sanType: .uri).username(in: alice) == nil)
        #expect(CertificateLogin(source: .subjectAlternativeName, sanIndex: Int.max).username(in: alice) == nil)
    }

    @Test func aCertificateWithoutACommonNameHasNoName() throws {
        let certificate = try TestCertificates.make(commonNames: [])
        #expect(CertificateLogin().username(in: certificate) == nil)
        #expect(CertificateLogin(source: .subjectAlternativeName).username(in: certificate) == nil)
    }
}
