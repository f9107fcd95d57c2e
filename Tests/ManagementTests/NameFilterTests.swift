import Testing

@testable import Management

/// The name filter's regular expressions: PCRE's common part, caseless, found anywhere; refusals say why.
@Suite struct NameFilterTests {
    func found(_ pattern: String, _ name: String) throws -> Bool { try NameFilter.parse(pattern, regex: true)?.matches(name) ?? true }

    @Test func matchesAsPCREDoes() throws {
        #expect(try found("log", "syslog.kern"))
        #expect(try found("^sys", "SysLog"))
        #expect(try !found("^log", "syslog"))
        #expect(try found("kern$", "syslog.kern"))
        #expect(try !found("kern$", "kern.log"))
        #expect(try found("a.c", "abc"))
        #expect(try !found("a\\.c", "abc"))
        #expect(try found("^(ab|cd)+$", "abCDab"))
        #expect(try !found("^(ab|cd)+$", "abc"))
        #expect(try found("^q\\d{3}$", "q042"))
        #expect(try !found("^q\\d{3}$", "q42"))
        #expect(try found("^q\\d{2,}$", "q4200"))
        #expect(try found("^x{0,2}y", "xxy"))
        #expect(try !found("^x{0,2}y", "xxxy"))
        #expect(try found("[^a-z]", "ab1"))
        #expect(try !found("^[^a-z]+$", "AB"))
        #expect(try found("^[A-Z_]+$", "abc_d"))
        #expect(try found("colou?r", "color"))
        #expect(try found("a{", "a{"))
        #expect(try found("", "anything"))
        #expect(try found("^(?:a|)b*?$", "bbb"))
        #expect(try found("\\W", "a b"))
    }

    @Test func catastrophicPatternsFinishWithTheRightAnswer() throws {
        let name = String(repeating: "a", count: 255)
        #expect(try !found("(a+)+$b", name))
        #expect(try !found("^(a|aa)+$x", name))
        #expect(try !found("^(a*)*b$", name))
        #expect(try found("^(a+)+$", name))
        #expect(try !found("((){255}){255}x", name))
    }

    @Test(arguments: ["(a", "a)", "*a", "\\1", "(?=a)", "[a", "\\", "[z-a]",
                      "(((((a{1000}){1000}){1000}){1000}){1000})"])
    func refusedPatternsSayWhy(pattern: String) {
        do {
            _ = try NameFilter.parse(pattern, regex: true)
            Issue.record("accepted \(pattern)")
        } catch {
            #expect("\(error)".contains("name is not a regular expression warren can run"))
        }
    }

    @Test func substringsIgnoreCase() throws {
        #expect(try NameFilter.parse("LOG", regex: false)?.matches("syslog") == true)
        #expect(try NameFilter.parse("", regex: true) == nil)
    }
}
