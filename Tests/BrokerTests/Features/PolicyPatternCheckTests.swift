import AMQPWire
@testable import Broker
import Testing

/// Patterns whose backtracking matching can take exponential time are refused; ordinary ones pass.
@Suite struct PolicyPatternCheckTests {
    @Test(arguments: ["^(a+)+$", "(x*)*", "((ab)+c)*", "(\\w+\\s?)*$", "(a{2,})+", "^(?:a+)+b", "^(a|a)*$", "(x|y)+"])
    func repeatedRepetitionsAreFound(pattern: String) {
        #expect(PolicyPatternCheck.repeatsARepetition(pattern))
    }

    @Test(arguments: ["^amq\\.", ".*", "^(logs|events)\\..*", "(?:ab)*", "[(+]+", "\\(a+\\)+", "^ha\\.", "(a+)b+", "(ab)?c*"])
    func ordinaryPatternsPass(pattern: String) {
        #expect(!PolicyPatternCheck.repeatsARepetition(pattern))
    }

    @Test func aPolicyWithSuchAPatternIsRefusedBeforeItIsMatched() {
        let broker = Broker()
        #expect(throws: AMQPError.self) {
            try broker.setPolicy(Policy(name: "evil", pattern: "^(a+)+$", definition: ["max-length": .int64(1)]))
        }
        #expect(broker.policies().isEmpty)
    }
}
