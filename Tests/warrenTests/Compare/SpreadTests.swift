import Testing

@testable import warren

/// Median and range of several throughput runs.
struct SpreadTests {
    @Test func medianOfAnOddAndAnEvenNumberOfRuns() {
        #expect(Spread(values: [3, 1, 2]).median == 2)
        #expect(Spread(values: [4, 1, 3, 2]).median == 2.5)
        #expect(Spread(values: []).median == 0)
        #expect(Spread(values: [5, 9, 7]).minimum == 5)
        #expect(Spread(values: [5, 9, 7]).maximum == 9)
    }

    @Test func numbersAreGroupedByThousands() {
        #expect(Spread.grouped(0) == "0")
        #expect(Spread.grouped(999) == "999")
        #expect(Spread.grouped(1_234_567.4) == "1,234,567")
        #expect(Spread(values: [1000, 2000, 3000]).text == "2,000 msg/s (1,000–3,000)")
    }

    @Test(arguments: [Double.nan, .infinity, 1e300])
    func anAbsurdValueDoesNotTrap(value: Double) {
        #expect(Spread.grouped(value) == "?")
    }
}
