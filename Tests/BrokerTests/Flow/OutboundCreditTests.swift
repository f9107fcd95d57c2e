import Testing

@testable import Broker

/// The credit arithmetic: room while writable and under the window, saturating, and told when room comes back.
@Suite struct OutboundCreditTests {
    @Test func roomEndsAtTheWindowAndComesBackWithWrites() {
        var credit = OutboundCredit(window: 100)
        credit.sent(60)
        #expect(credit.hasRoom)
        credit.sent(60)
        #expect(!credit.hasRoom)
        let stillFull = credit.written(10)  // 110 in flight
        let roomAgain = credit.written(50)  // 60
        let hadRoom = credit.written(60)
        #expect([stillFull, roomAgain, hadRoom] == [false, true, false])
        #expect(credit.unwritten == 0)
    }

    @Test func anUnwritableSocketHasNoRoomWhateverTheCredit() {
        var credit = OutboundCredit(window: 100)
        let paused = credit.setWritable(false)
        #expect(!paused && !credit.hasRoom)
        let resumed = credit.setWritable(true)
        #expect(resumed && credit.hasRoom)
    }

    @Test func absurdCountsSaturateInsteadOfTrapping() {
        var credit = OutboundCredit(window: 0)
        #expect(credit.window == 1)
        credit.sent(.max)
        credit.sent(.max)
        credit.sent(-5)
        #expect(credit.unwritten == .max)
        _ = credit.written(-1)
        #expect(credit.unwritten == .max)
        let resumed = credit.written(.max)
        #expect(resumed && credit.unwritten == 0)
    }
}
