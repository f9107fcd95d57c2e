import Testing

@testable import Syslog

/// RFC 5424 headers: the §6.5 examples verbatim, real senders, and every field's ABNF limits.
@Suite struct RFC5424Tests {
    static let bom = "\u{FEFF}"

    static let cases: [GoldenCase] = [
        GoldenCase("§6.5 example 1",
                   "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \(bom)'su root' failed for lonvick on /dev/pts/8",
                   entry(4, 2, timestamp: "2003-10-11T22:14:15.003Z", hostname: "mymachine.example.com", appName: "su",
                         msgID: "ID47", message: "'su root' failed for lonvick on /dev/pts/8")),
        GoldenCase("§6.5 example 2",
                   "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
                   entry(20, 5, timestamp: "2003-08-24T05:14:15.000003-07:00", hostname: "192.0.2.1", appName: "myproc",
                         procID: "8710", message: "%% It's time to make the do-nuts.")),
        GoldenCase("§6.5 example 3",
                   "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] \(bom)An application event log entry...",
                   entry(20, 5, timestamp: "2003-10-11T22:14:15.003Z", hostname: "mymachine.example.com", appName: "evntslog",
                         msgID: "ID47",
                         structuredData: [element("exampleSDID@32473", ["iut": "3", "eventSource": "Application", "eventID": "1011"])],
                         message: "An application event log entry...")),
        GoldenCase("§6.5 example 4",
                   "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]",
                   entry(20, 5, timestamp: "2003-10-11T22:14:15.003Z", hostname: "mymachine.example.com", appName: "evntslog",
                         msgID: "ID47",
                         structuredData: [element("exampleSDID@32473", ["iut": "3", "eventSource": "Application", "eventID": "1011"]),
                                          element("examplePriority@32473", ["class": "high"])],
                         message: "")),
        GoldenCase("logger --rfc5424",
                   "<13>1 2026-11-23T10:00:00.123456+01:00 myhost root - - [timeQuality tzKnown=\"1\" isSynced=\"1\" syncAccuracy=\"42500\"] hello",
                   entry(1, 5, timestamp: "2026-11-23T10:00:00.123456+01:00", hostname: "myhost", appName: "root",
                         structuredData: [element("timeQuality", ["tzKnown": "1", "isSynced": "1", "syncAccuracy": "42500"])],
                         message: "hello")),
        GoldenCase("logger --rfc5424 --id --msgid",
                   "<86>1 2026-11-23T10:00:00.5-05:30 myhost sshd 4242 login [timeQuality tzKnown=\"1\" isSynced=\"0\"] accepted",
                   entry(10, 6, timestamp: "2026-11-23T10:00:00.5-05:30", hostname: "myhost", appName: "sshd", procID: "4242",
                         msgID: "login", structuredData: [element("timeQuality", ["tzKnown": "1", "isSynced": "0"])],
                         message: "accepted")),
        GoldenCase("all NILVALUE, no MSG", "<14>1 - - - - - -", entry(1, 6, message: "")),
        GoldenCase("all NILVALUE, empty MSG after SP", "<14>1 - - - - - - ", entry(1, 6, message: "")),
        GoldenCase("MSG spaces kept", "<14>1 - - - - - -  two  spaces  ", entry(1, 6, message: " two  spaces  ")),
        GoldenCase("BOM only removed at MSG start", "<14>1 - h a - - - x\(bom)y",
                   entry(1, 6, hostname: "h", appName: "a", message: "x\(bom)y")),
        GoldenCase("NILVALUE-looking longer fields are values", "<14>1 - -h -a -1 -m - x",
                   entry(1, 6, hostname: "-h", appName: "-a", procID: "-1", msgID: "-m", message: "x")),
        GoldenCase("timestamp without fraction, upper bounds", "<191>1 1999-12-31T23:59:59+23:59 h a p m - x",
                   entry(23, 7, timestamp: "1999-12-31T23:59:59+23:59", hostname: "h", appName: "a", procID: "p", msgID: "m", message: "x")),
        GoldenCase("leap day", "<0>1 2024-02-29T00:00:00Z h a - - - x",
                   entry(0, 0, timestamp: "2024-02-29T00:00:00Z", hostname: "h", appName: "a", message: "x")),
        // A well-shaped timestamp naming no real instant: the header is still 5424, the timestamp is unusable.
        GoldenCase("Feb 30 is unusable", "<14>1 2003-02-30T22:14:15Z h a - - - x",
                   entry(1, 6, hostname: "h", appName: "a", message: "x")),
        GoldenCase("Feb 29 of a common year is unusable", "<14>1 2023-02-29T22:14:15Z h a - - - x",
                   entry(1, 6, hostname: "h", appName: "a", message: "x")),
        GoldenCase("month 13 is unusable", "<14>1 2003-13-01T22:14:15Z h a - - - x",
                   entry(1, 6, hostname: "h", appName: "a", message: "x")),
        GoldenCase("hour 24 is unusable", "<14>1 2003-10-11T24:00:00Z h a - - - x",
                   entry(1, 6, hostname: "h", appName: "a", message: "x")),
        GoldenCase("leap second is unusable in 5424 (§6.2.3.1)", "<14>1 2016-12-31T23:59:60Z h a - - - x",
                   entry(1, 6, hostname: "h", appName: "a", message: "x")),
        GoldenCase("offset +24:00 is unusable", "<14>1 2003-10-11T22:14:15+24:00 h a - - - x",
                   entry(1, 6, hostname: "h", appName: "a", message: "x")),
    ]

    @Test(arguments: cases)
    func golden(_ testCase: GoldenCase) {
        #expect(parse(bytes: testCase.frame) == testCase.expected)
    }

    static let longest = (
        hostname: String(repeating: "h", count: 255), appName: String(repeating: "a", count: 48),
        procID: String(repeating: "p", count: 128), msgID: String(repeating: "m", count: 32))

    @Test func fieldsAtTheirMaximumLengthAreAccepted() {
        let l = Self.longest
        let parsed = parse("<14>1 - \(l.hostname) \(l.appName) \(l.procID) \(l.msgID) - x")
        #expect(parsed == entry(1, 6, hostname: l.hostname, appName: l.appName, procID: l.procID, msgID: l.msgID, message: "x"))
    }

    /// Each header that breaks the ABNF is read as RFC 3164 instead, which finds no timestamp:
    /// the PRI is kept and everything after it becomes the message (§4.3.2).
    @Test(arguments: [
        "1 - \(longest.hostname)h a - - - x",                      // HOSTNAME 256
        "1 - h \(longest.appName)a - - - x",                       // APP-NAME 49
        "1 - h a \(longest.procID)p - - x",                        // PROCID 129
        "1 - h a - \(longest.msgID)m - x",                         // MSGID 33
        "1 - hé a - - - x",                                        // not PRINTUSASCII
        "2 - h a - - - x",                                         // unknown VERSION
        "01 - h a - - - x",                                        // VERSION with a leading zero
        "1  - h a - - - x",                                        // double space
        "1 - h a - - -x",                                          // no SP between SD and MSG
        "1 - h a - - [id a=\"b\"]x",                               // no SP between SD and MSG
        "1 - h a - -",                                             // STRUCTURED-DATA missing
        "1 - h a - - x",                                           // STRUCTURED-DATA neither - nor [
        "1 2003-10-11 22:14:15Z h a - - - x",                      // space instead of T
        "1 2003-10-11t22:14:15.003Z h a - - - x",                  // lower-case t
        "1 2003-10-11T22:14:15.003z h a - - - x",                  // lower-case z
        "1 2003-10-11T22:14:15.0000003Z h a - - - x",              // 7 fraction digits
        "1 2003-10-11T22:14:15.Z h a - - - x",                     // empty fraction
        "1 2003-10-11T22:14:15 h a - - - x",                       // no offset
        "1 2003-10-11T22:14:15+0100 h a - - - x",                  // offset without colon
        "1 2003-10-11T22:14Z h a - - - x",                         // no seconds
        "1 03-10-11T22:14:15Z h a - - - x",                        // two-digit year
        "1 2003-10-11T22:14:15.003Z",                              // header cut short
        "1",
    ])
    func invalidHeaderFallsBackToRFC3164Repair(afterPRI: String) {
        #expect(parse("<14>" + afterPRI) == entry(1, 6, message: afterPRI, repaired: true))
    }
}
