import Broker
import Testing

@testable import AMQPServer

/// The broker loop's inbox: each connection's work in order, connections in turn, one item each per round.
@Suite struct BrokerInboxTests {
    let publisher = ConnectionID(1)
    let consumer = ConnectionID(2)

    @Test func aFloodingConnectionGetsOneTurnPerRound() {
        var inbox = BrokerInbox<String>()
        #expect(inbox.add("p1", from: publisher))  // idle: the caller schedules a round
        for index in 2...5 { #expect(!inbox.add("p\(index)", from: publisher)) }
        #expect(!inbox.add("ack1", from: consumer))
        #expect(inbox.takeRound() == ["p1", "ack1"])
        #expect(inbox.finishRound())
        #expect(!inbox.add("ack2", from: consumer))  // a round is still scheduled
        #expect(inbox.takeRound() == ["p2", "ack2"])
        #expect(inbox.finishRound())
        #expect(inbox.takeRound() == ["p3"])
        #expect(inbox.finishRound())
        #expect(inbox.takeRound() == ["p4"])
        #expect(inbox.finishRound())
        #expect(inbox.takeRound() == ["p5"])
        #expect(!inbox.finishRound())  // idle again
        #expect(inbox.add("p6", from: publisher))
    }

    @Test func anEmptyRoundLeavesTheInboxIdle() {
        var inbox = BrokerInbox<Int>()
        #expect(inbox.takeRound().isEmpty)
        #expect(!inbox.finishRound())
        #expect(inbox.add(1, from: consumer))
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
