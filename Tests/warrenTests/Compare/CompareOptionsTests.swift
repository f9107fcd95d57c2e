import Testing

@testable import warren

/// The bounds every CLI flag and API field is held to before a run starts.
struct CompareOptionsTests {
    @Test func theDefaultsAreValid() throws {
        try CompareOptions().validate()
    }

    @Test(arguments: [("count", Int.max), ("count", 0), ("messages", -1), ("runs", 21), ("depth", Int.min), ("size", 31), ("memory", 1)])
    func anIntegerOutOfBoundsIsRefused(field: String, value: Int) {
        var options = CompareOptions()
        switch field {
        case "count": options.count = value
        case "messages": options.messages = value
        case "runs": options.runs = value
        case "depth": options.depth = value
        case "size": options.size = value
        default: options.memoryMiB = value
        }
        #expect(throws: CompareError.self) { try options.validate() }
    }

    @Test(arguments: [[], [0], [Int.max], Array(repeating: 1000, count: 11)])
    func badRatesAreRefused(rates: [Int]) {
        var options = CompareOptions()
        options.rates = rates
        #expect(throws: CompareError.self) { try options.validate() }
    }

    @Test(arguments: [Double.nan, .infinity, -1, 0.01, 301])
    func badLatencySecondsAreRefused(seconds: Double) {
        var options = CompareOptions()
        options.latencySeconds = seconds
        #expect(throws: CompareError.self) { try options.validate() }
    }

    @Test func scenariosAreChosenByNameInTheirOwnOrder() throws {
        #expect(try CompareScenarios.selected([]).map { $0.name } == CompareScenarios.names)
        #expect(try CompareScenarios.selected(["counters", "replay"]).map { $0.name } == ["replay", "counters"])
        #expect(throws: CompareError.self) { try CompareScenarios.selected(["replay", "nope"]) }
    }

    @Test func anAPIBodyIsBoundedLikeTheFlags() throws {
        var body = CompareRequestBody()
        body.scenarios = Array(repeating: "replay", count: 21)
        #expect(throws: CompareError.self) { try body.compareRun }
        body.scenarios = ["replay"]
        body.redis = "redis://" + String(repeating: "h", count: 2000)
        #expect(throws: CompareError.self) { try body.compareRun }
        body.redis = "redis://127.0.0.1:6379/0"
        body.rates = [500]
        #expect(try body.compareRun.options.rates == [500])
    }
}
