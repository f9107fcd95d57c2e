import Testing

@testable import AMQPServer

/// Reading the resident set from /proc/self/statm, and which figure the alarm compares.
@Suite struct MemoryUseTests {
    @Test func residentPagesTimesPageSize() {
        #expect(MemoryUse.residentBytes(statm: Array("2000 150 30 1 0 90 0\n".utf8), pageSize: 4096) == 150 * 4096)
    }

    @Test func malformedOrAbsurdLinesDoNotTrap() {
        #expect(MemoryUse.residentBytes(statm: Array("garbage".utf8), pageSize: 4096) == nil)
        #expect(MemoryUse.residentBytes(statm: Array("1 -5 0".utf8), pageSize: 4096) == nil)
        #expect(MemoryUse.residentBytes(statm: Array("1 \(Int.max) 0".utf8), pageSize: 4096) == .max)
    }

    @Test func thisProcessHasAResidentSet() throws {
        let resident = try #require(MemoryUse.residentBytes())
        #expect(resident > 1 << 20)
    }

    @Test func theAlarmUsesTheLargerFigure() {
        #expect(MemoryUse(resident: 10, accounted: 50).bytes == 50)
        #expect(MemoryUse(resident: 90, accounted: 50).bytes == 90)
        #expect(MemoryUse(resident: nil, accounted: 50).bytes == 50)
    }
}
