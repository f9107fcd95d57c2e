import Testing

@testable import Syslog

/// RFC 3164 §4.3.3 (no valid PRI) and §4.3.2 (valid PRI, no usable header) repairs.
@Suite struct RepairTests {
    /// No valid PRI: user.notice, repaired, the whole frame is the message.
    @Test(arguments: [
        "Use the BFG!",                                   // §5.4 example 2
        "<192>Nov 23 10:00:00 host app: too high",
        "<999>x",
        "<1000>x",
        "<ab>letters",
        "<1a>x",
        "<013>leading zero",
        "<00>leading zero",
        "<0013>x",
        "<13 unclosed",
        "<13",
        "<",
        "<>empty",
        "<-1>negative",
        "< 13>space",
        " <13>Nov 23 10:00:00 host app: leading space",
        "13>no opening",
        "[13]brackets",
    ])
    func invalidPRIRepairsAsUserNotice(frame: String) {
        #expect(parse(frame) == entry(1, 5, message: frame, repaired: true))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let frame: String
        let facility: UInt8
        let severity: UInt8
        let message: String
        var testDescription: String { frame }
    }

    /// Valid PRI but no usable header: the PRI is kept, everything after it is the message.
    @Test(arguments: [
        Case(frame: "<13>hello world", facility: 1, severity: 5, message: "hello world"),
        Case(frame: "<34>", facility: 4, severity: 2, message: ""),
        Case(frame: "<0>", facility: 0, severity: 0, message: ""),
        Case(frame: "<191> padded", facility: 23, severity: 7, message: " padded"),
        Case(frame: "<13>myapp: no timestamp", facility: 1, severity: 5, message: "myapp: no timestamp"),
        Case(frame: "<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!",
             facility: 0, severity: 0,
             message: "1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!"),
        Case(frame: "<165>1 not-a-timestamp host app - - - x", facility: 20, severity: 5,
             message: "1 not-a-timestamp host app - - - x"),
        Case(frame: "<13><14>nested", facility: 1, severity: 5, message: "<14>nested"),
    ])
    func validPRIWithoutHeaderKeepsPriority(_ testCase: Case) {
        #expect(parse(testCase.frame) == entry(testCase.facility, testCase.severity, message: testCase.message, repaired: true))
    }

    @Test func wellFormedMessagesAreNotRepaired() {
        #expect(parse("<13>Nov 23 10:00:00 myhost root: hello")?.repaired == false)
        #expect(parse("<13>1 - - - - - - hello")?.repaired == false)
    }
}
