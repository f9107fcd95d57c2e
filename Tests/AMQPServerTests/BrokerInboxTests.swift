import Broker
import Testing

@testable import AMQPServer

/// The broker loop's inbox: each connection's work in order, connections in turn, one item each per round.
@Suite struct BrokerInboxTests {
    let publisher = ConnectionID(1)
    let consumer = ConnectionID(2)

    @Test func aFloodingConnectionGetsOneTurnPerRound() {
        var inbox = BrokerInbox<String>()
        var scheduled = (1...5).map { inbox.add("p\($0)", from: publisher) }
        scheduled.append(inbox.add("ack1", from: consumer))
        #expect(scheduled == [true, false, false, false, false, false])  // only the first schedules a round
        var rounds = [inbox.takeRound()]
        var more = [inbox.finishRound()]
        let scheduledAgain = inbox.add("ack2", from: consumer)  // a round is still scheduled
        for _ in 0..<4 {
            rounds.append(inbox.takeRound())
            more.append(inbox.finishRound())
        }
        #expect(!scheduledAgain)
        #expect(rounds == [["p1", "ack1"], ["p2", "ack2"], ["p3"], ["p4"], ["p5"]])
        #expect(more == [true, true, true, true, false])
        let idle = inbox.add("p6", from: publisher)
        #expect(idle)
    }

    @Test func anEmptyRoundLeavesTheInboxIdle() {
        var inbox = BrokerInbox<Int>()
        let round = inbox.takeRound()
        let more = inbox.finishRound()
        let scheduled = inbox.add(1, from: consumer)
        #expect(round.isEmpty && !more && scheduled)
    }

    @Test func manyConnectionsEachKeepTheirOrder() {
        var inbox = BrokerInbox<(UInt64, Int)>()
        for step in 0..<3 {
            for raw in UInt64(1)...100 { _ = inbox.add((raw, step), from: ConnectionID(raw)) }
        }
        var seen: [UInt64: [Int]] = [:]
        var rounds = 0
        repeat {
            let round = inbox.takeRound()
            #expect(Set(round.map(\.0)).count == round.count)  // at most one item per connection
            for (raw, step) in round { seen[raw, default: []].append(step) }
            rounds += 1
        } while inbox.finishRound()
        #expect(rounds == 3)
        #expect(seen.count == 100 && seen.values.allSatisfy { $0 == [0, 1, 2] })
    }
}
