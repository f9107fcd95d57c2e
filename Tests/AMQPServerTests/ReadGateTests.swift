import Testing

@testable import AMQPServer

/// Reading stops when the first cause holds it and resumes only when the last one lets go.
@Suite struct ReadGateTests {
    @Test func eitherCauseStopsReadingAndBothMustRelease() {
        var gate = ReadGate()
        let changes = [
            gate.set(.outputStalled, holding: true),
            gate.set(.resourceAlarm, holding: true),
            gate.set(.outputStalled, holding: false),
            gate.set(.resourceAlarm, holding: false),
            gate.set(.resourceAlarm, holding: false),
        ]
        #expect(changes == [.stopReading, nil, nil, .resumeReading, nil])
        #expect(gate.isReading)
    }

    @Test func publisherCreditIsOneMoreIndependentCause() {
        var gate = ReadGate()
        var changes = [gate.set(.queuesBehind, holding: true)]
        for cause in ReadGate.Cause.allCases where cause != .queuesBehind {
            changes.append(gate.set(cause, holding: true))
            changes.append(gate.set(cause, holding: false))
        }
        changes.append(gate.set(.queuesBehind, holding: false))
        #expect(changes == [.stopReading] + Array(repeating: nil, count: 6) + [.resumeReading])
    }
}
