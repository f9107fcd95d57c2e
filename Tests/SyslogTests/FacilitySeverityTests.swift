import Testing

@testable import Syslog

/// Facility and severity codes, their names, and the routing keys they make.
@Suite struct FacilitySeverityTests {
    static let facilityNames = [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
        "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4", "local5",
        "local6", "local7",
    ]
    static let severityNames = ["emergency", "alert", "critical", "error", "warning", "notice", "info", "debug"]

    @Test(arguments: 0..<24)
    func facilityName(code: Int) throws {
        let facility = try #require(Facility(rawValue: UInt8(code)))
        #expect(facility.name == Self.facilityNames[code])
        #expect(facility.rawValue == UInt8(code))
    }

    @Test(arguments: 0..<8)
    func severityName(code: Int) throws {
        let severity = try #require(Severity(rawValue: UInt8(code)))
        #expect(severity.name == Self.severityNames[code])
        #expect(severity.rawValue == UInt8(code))
    }

    @Test func codesOutOfRangeAreRejected() {
        #expect(Facility(rawValue: 24) == nil)
        #expect(Facility(rawValue: 255) == nil)
        #expect(Severity(rawValue: 8) == nil)
        #expect(Severity(rawValue: 255) == nil)
        #expect(Facility.allCases.map(\.name) == Self.facilityNames)
        #expect(Severity.allCases.map(\.name) == Self.severityNames)
    }

    @Test(arguments: [(0, "kern.emergency"), (191, "local7.debug"), (13, "user.notice"), (34, "auth.critical"),
                      (86, "authpriv.info"), (165, "local4.notice"), (126, "solaris-cron.info")])
    func routingKey(pri: Int, key: String) {
        #expect(parse("<\(pri)>Nov 23 10:00:00 host app: x")?.routingKey == key)
        #expect(parse("<\(pri)>1 - - - - - -")?.routingKey == key)
    }

    @Test func everyPRIMapsToFacilityAndSeverity() {
        for pri in 0...191 {
            let parsed = parse("<\(pri)>1 - - - - - - x")
            #expect(parsed?.routingKey == "\(Self.facilityNames[pri / 8]).\(Self.severityNames[pri % 8])", "PRI \(pri)")
            #expect(parsed?.repaired == false, "PRI \(pri)")
        }
    }
}
