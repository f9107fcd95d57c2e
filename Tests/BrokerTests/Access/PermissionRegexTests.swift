import Testing

@testable import Broker

@Suite struct PermissionRegexTests {
    private func matches(_ pattern: String, _ subject: String) throws -> Bool {
        try PermissionRegex(pattern).matches(subject)
    }

    @Test func searchesUnanchoredAsRabbitMQsReRun() throws {
        #expect(try matches("gen", "amq.gen-abc"))
        #expect(try matches("^amq\\.gen.*", "amq.gen-abc"))
        #expect(try !matches("^amq\\.gen.*", "xamq.gen-abc"))
        #expect(try !matches("^amq\\.gen", "amqXgen"))
        #expect(try matches("^auth\\.", "auth.info"))
        #expect(try !matches("^auth\\.", "authpriv.info"))
    }

    @Test func emptyPatternMeansCaretDollar() throws {
        #expect(try matches("", ""))
        #expect(try !matches("", "q"))
    }

    @Test func alternationGroupsClassesAndCounts() throws {
        #expect(try matches("^(amq\\.gen.*|topic_logs)$", "topic_logs"))
        #expect(try !matches("^(amq\\.gen.*|topic_logs)$", "topic_logs2"))
        #expect(try matches("^(?:a|b)+$", "abba"))
        #expect(try matches("^[a-c_]{2,3}$", "a_c"))
        #expect(try !matches("^[a-c_]{2,3}$", "abca"))
        #expect(try matches("^[^.]+$", "kern"))
        #expect(try !matches("^[^.]+$", "kern.info"))
        #expect(try matches("^\\d+x?$", "42"))
        #expect(try matches("a{,2}", "a{,2}"))  // not a quantifier: literal, as PCRE
        #expect(try matches("^x$", "x\n"))  // $ before a final line feed, as PCRE
    }

    @Test func hostilePatternsMatchInLinearTime() throws {
        let subject = String(repeating: "a", count: 255) + "!"
        let hostile = try ["^(a+)+$", "^(a|a)*$", "^(a*)*b$", "^(.*a){20}$"].map { try PermissionRegex($0) }
        let clock = ContinuousClock()
        var matched = false
        let elapsed = clock.measure {
            for pattern in hostile { matched = matched || pattern.matches(subject) }
        }
        #expect(!matched)
        #expect(elapsed < .seconds(2))
    }

    @Test func refusesWhatItCannotMatchSafely() {
        for pattern in ["(?=a)", "(a)\\1", "a{2000}", "(", "[a", "*a", "a{3,2}", "\\b",
                        String(repeating: "a", count: PermissionRegex.maxLength + 1),
                        String(repeating: "(a{1000})", count: 9)] {
            #expect(throws: PermissionRegexError.self) { try PermissionRegex(pattern) }
        }
    }
}
