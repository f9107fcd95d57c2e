import Testing

@testable import AMQPServer

/// Credit goes back to the broker in quarter-window lumps while writable, all of it on becoming writable, none while not.
@Suite struct CreditReturnTests {
    @Test func smallWritesAreReturnedInLumps() {
        var credit = CreditReturn(window: 400)
        let first = credit.wrote(60, writable: true)
        let second = credit.wrote(60, writable: true)
        #expect([first, second] == [0, 120])
        #expect(credit.unreturned == 0)
    }

    @Test func nothingIsReturnedWhileTheSocketIsFullAndEverythingWhenItDrains() {
        var credit = CreditReturn(window: 400)
        let whileFull = [credit.wrote(500, writable: false), credit.wrote(500, writable: false)]
        let drained = [credit.becameWritable(), credit.becameWritable()]
        #expect(whileFull == [0, 0])
        #expect(drained == [1000, 0])
    }

    @Test func hugeCountsSaturate() {
        var credit = CreditReturn(window: 4)
        _ = credit.wrote(.max, writable: false)
        let returned = credit.wrote(.max, writable: true)
        #expect(returned == .max)
    }
}
