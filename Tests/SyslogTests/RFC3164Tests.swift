import Foundation
import Testing

@testable import Syslog

/// RFC 3164 headers (received 2026-11-23T12:00:00Z): the §5.4 examples, day padding,
/// optional HOSTNAME, TAG forms, and what util-linux logger, rsyslog and Go send.
@Suite struct RFC3164Tests {
    static let doNuts = "%% It's time to make the do-nuts.  %%  Ingredients: Mix=OK, Jelly=OK # Devices: Mixer=OK, Jelly_Injector=OK, Frier=OK # Transport: Conveyer1=OK, Conveyer2=OK # %%"

    static let cases: [GoldenCase] = [
        GoldenCase("§5.4 example 1", "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
                   entry(4, 2, timestamp: "2026-10-11T22:14:15Z", hostname: "mymachine", appName: "su",
                         message: "'su root' failed for lonvick on /dev/pts/8")),
        GoldenCase("§5.4 example 2 as relayed", "<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!",
                   entry(1, 5, timestamp: "2026-02-05T17:32:18Z", hostname: "10.0.0.99", message: "Use the BFG!")),
        // The RFC's own reading: "CST" lands in HOSTNAME and the rest cannot be a TAG.
        GoldenCase("§5.4 example 3", "<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: \(doNuts)",
                   entry(20, 5, timestamp: "2026-08-24T05:34:00Z", hostname: "CST",
                         message: "1987 mymachine myproc[10]: \(doNuts)")),
        GoldenCase("§5.4 example 4 as relayed",
                   "<0>Oct 22 10:52:12 scapegoat 1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!",
                   entry(0, 0, timestamp: "2026-10-22T10:52:12Z", hostname: "scapegoat",
                         message: "1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!")),
        GoldenCase("day space-padded", "<13>Nov  3 04:05:06 host app: x",
                   entry(1, 5, timestamp: "2026-11-03T04:05:06Z", hostname: "host", appName: "app", message: "x")),
        GoldenCase("day zero-padded", "<13>Nov 03 04:05:06 host app: x",
                   entry(1, 5, timestamp: "2026-11-03T04:05:06Z", hostname: "host", appName: "app", message: "x")),
        GoldenCase("day unpadded", "<13>Nov 3 04:05:06 host app: x",
                   entry(1, 5, timestamp: "2026-11-03T04:05:06Z", hostname: "host", appName: "app", message: "x")),
        GoldenCase("util-linux logger", "<13>Nov 23 10:00:00 myhost root: hello",
                   entry(1, 5, timestamp: "2026-11-23T10:00:00Z", hostname: "myhost", appName: "root", message: "hello")),
        GoldenCase("logger --rfc3164 --id", "<172>Nov 23 10:00:00 myhost cron[4242]: job done",
                   entry(21, 4, timestamp: "2026-11-23T10:00:00Z", hostname: "myhost", appName: "cron", procID: "4242",
                         message: "job done")),
        GoldenCase("no hostname, tag", "<13>Nov 23 10:00:00 root: hello",
                   entry(1, 5, timestamp: "2026-11-23T10:00:00Z", appName: "root", message: "hello")),
        GoldenCase("no hostname, tag with pid (Go log/syslog local)", "<30>Nov 23 10:00:00 myprog[4711]: hello",
                   entry(3, 6, timestamp: "2026-11-23T10:00:00Z", appName: "myprog", procID: "4711", message: "hello")),
        GoldenCase("hostname, no tag", "<13>Nov 23 10:00:00 myhost just some text",
                   entry(1, 5, timestamp: "2026-11-23T10:00:00Z", hostname: "myhost", message: "just some text")),
        GoldenCase("tag name with a slash", "<22>Nov 23 10:00:00 mail postfix/smtpd[1234]: connect from x",
                   entry(2, 6, timestamp: "2026-11-23T10:00:00Z", hostname: "mail", appName: "postfix/smtpd", procID: "1234",
                         message: "connect from x")),
        GoldenCase("tag without a space after the colon", "<13>Nov 23 10:00:00 host app:msg",
                   entry(1, 5, timestamp: "2026-11-23T10:00:00Z", hostname: "host", appName: "app", message: "msg")),
        GoldenCase("only one space after the tag is dropped", "<13>Nov 23 10:00:00 host app:  indented",
                   entry(1, 5, timestamp: "2026-11-23T10:00:00Z", hostname: "host", appName: "app", message: " indented")),
        GoldenCase("tag with empty message", "<13>Nov 23 10:00:00 host app:",
                   entry(1, 5, timestamp: "2026-11-23T10:00:00Z", hostname: "host", appName: "app", message: "")),
        GoldenCase("unclosed pid is not a tag", "<13>Nov 23 10:00:00 host app[12: x",
                   entry(1, 5, timestamp: "2026-11-23T10:00:00Z", hostname: "host", message: "app[12: x")),
        GoldenCase("empty pid is not a tag", "<13>Nov 23 10:00:00 host app[]: x",
                   entry(1, 5, timestamp: "2026-11-23T10:00:00Z", hostname: "host", message: "app[]: x")),
        GoldenCase("token with [ but no colon is not a hostname", "<13>Nov 23 10:00:00 app[1] x",
                   entry(1, 5, timestamp: "2026-11-23T10:00:00Z", message: "app[1] x")),
        GoldenCase("timestamp only", "<13>Nov 23 10:00:00",
                   entry(1, 5, timestamp: "2026-11-23T10:00:00Z", message: "")),
        GoldenCase("hostname only", "<13>Nov 23 10:00:00 myhost",
                   entry(1, 5, timestamp: "2026-11-23T10:00:00Z", hostname: "myhost", message: "")),
        GoldenCase("rsyslog RFC 3339 variant", "<134>2026-11-23T10:00:00.123+01:00 host tag[1]: msg",
                   entry(16, 6, timestamp: "2026-11-23T10:00:00.123+01:00", hostname: "host", appName: "tag", procID: "1",
                         message: "msg")),
        GoldenCase("Go log/syslog over the network", "<30>2026-11-23T10:00:00+01:00 myhost myprog[4711]: hello from go\n",
                   entry(3, 6, timestamp: "2026-11-23T10:00:00+01:00", hostname: "myhost", appName: "myprog", procID: "4711",
                         message: "hello from go")),
        GoldenCase("RFC 3339 variant, lower case and nanoseconds", "<13>2026-11-23t10:00:00.123456789z host app: x",
                   entry(1, 5, timestamp: "2026-11-23T10:00:00.123456789Z", hostname: "host", appName: "app", message: "x")),
        GoldenCase("RFC 3339 variant without hostname", "<13>2026-11-23T10:00:00Z app[3]: x",
                   entry(1, 5, timestamp: "2026-11-23T10:00:00Z", appName: "app", procID: "3", message: "x")),
        GoldenCase("RFC 3339 variant with a leap second", "<13>2016-12-31T23:59:60Z host app: x",
                   entry(1, 5, timestamp: "2016-12-31T23:59:60Z", hostname: "host", appName: "app", message: "x")),
    ]

    @Test(arguments: cases)
    func golden(_ testCase: GoldenCase) {
        #expect(parse(bytes: testCase.frame) == testCase.expected)
    }

    /// Not a timestamp at all: valid PRI, no usable header, so §4.3.2 repair.
    @Test(arguments: [
        "nov 23 10:00:00 host app: x",      // month must be capitalised
        "November 23 10:00:00 host app: x",
        "Nov 123 10:00:00 host app: x",
        "Nov  23 10:00:00 host app: x",     // space padding before two digits
        "Nov 23 10:00 host app: x",
        "Nov 23 10:00:00.123 host app: x",
        "Nov 23 1:00:00 host app: x",
        "Nov 23 10:00:00x host app: x",
        "Nov23 10:00:00 host app: x",
        "2026-11-23 10:00:00 host app: x",
        // Shaped like a timestamp but naming no real time: no usable header either (§4.3.2).
        "Oct 11 24:14:15 host app: x",
        "Nov 23 25:00:00 host app: x",
        "Oct 11 22:60:15 host app: x",
        "Oct 11 22:14:61 host app: x",
        "Feb 30 10:00:00 host app: x",
        "Nov 31 10:00:00 host app: x",
        "Nov 00 10:00:00 host app: x",
        "Foo 11 10:00:00 host app: x",
        "2026-02-30T10:00:00Z host app: x",
    ])
    func malformedTimestampIsRepaired(afterPRI: String) {
        #expect(parse("<13>" + afterPRI) == entry(1, 5, message: afterPRI, repaired: true))
    }

    struct YearCase: Sendable, CustomTestStringConvertible {
        let received: String
        let receivedEpoch: TimeInterval
        let stamp: String
        let expected: String?
        var testDescription: String { "\(stamp) received \(received)" }
    }

    /// The year comes from receivedAt (UTC); a date over a day ahead of it belongs to the year before.
    @Test(arguments: [
        YearCase(received: "2026-11-23T12:00:00Z", receivedEpoch: 1_795_435_200, stamp: "Nov 24 11:59:59",
                 expected: "2026-11-24T11:59:59Z"),
        YearCase(received: "2026-11-23T12:00:00Z", receivedEpoch: 1_795_435_200, stamp: "Nov 24 12:00:00",
                 expected: "2026-11-24T12:00:00Z"),
        YearCase(received: "2026-11-23T12:00:00Z", receivedEpoch: 1_795_435_200, stamp: "Nov 24 12:00:01",
                 expected: "2025-11-24T12:00:01Z"),
        YearCase(received: "2026-11-23T12:00:00Z", receivedEpoch: 1_795_435_200, stamp: "Dec 25 00:00:00",
                 expected: "2025-12-25T00:00:00Z"),
        YearCase(received: "2027-01-01T00:00:30Z", receivedEpoch: 1_798_761_630, stamp: "Dec 31 23:59:59",
                 expected: "2026-12-31T23:59:59Z"),
        YearCase(received: "2027-01-01T00:00:30Z", receivedEpoch: 1_798_761_630, stamp: "Jan  1 00:00:29",
                 expected: "2027-01-01T00:00:29Z"),
        YearCase(received: "2029-01-15T00:00:00Z", receivedEpoch: 1_863_129_600, stamp: "Feb 29 10:00:00",
                 expected: "2028-02-29T10:00:00Z"),
    ])
    func yearIsInferredFromReceivedAt(_ testCase: YearCase) {
        let parsed = parse("<13>\(testCase.stamp) host app: x", at: Date(timeIntervalSince1970: testCase.receivedEpoch))
        #expect(parsed?.timestamp == testCase.expected)
        #expect(parsed?.repaired == false)
        #expect(parsed?.hostname == "host")
    }

    /// Feb 29 with no leap year this year or last: no real time, so the line is kept whole (§4.3.2).
    @Test func feb29WithoutALeapYearInReachIsRepaired() {
        let parsed = parse("<13>Feb 29 10:00:00 host app: x", at: Date(timeIntervalSince1970: 1_803_859_200))  // 2027-03-01
        #expect(parsed == entry(1, 5, message: "Feb 29 10:00:00 host app: x", repaired: true))
    }
}
