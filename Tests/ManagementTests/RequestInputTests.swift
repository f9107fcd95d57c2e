import AMQPWire
import Foundation
import Testing

@testable import Management

/// What the management API accepts as names and arguments: what AMQP and the store can hold.
@Suite struct RequestInputTests {
    @Test func namesOfAtMost255BytesPass() throws {
        #expect(try RequestInput.shortString(String(repeating: "q", count: 255), "name").utf8.count == 255)
        #expect(try RequestInput.shortString("", "routing_key").isEmpty)
    }

    @Test(arguments: [String(repeating: "q", count: 256), String(repeating: "é", count: 128)])
    func longerNamesAre400WithTheirLength(name: String) {
        do {
            _ = try RequestInput.shortString(name, "name")
            Issue.record("accepted")
        } catch let error as APIError {
            #expect(error.status == .badRequest)
            #expect(error.reason == "name is 256 bytes long; at most 255 are allowed")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    static func nested(_ depth: Int) -> FieldValue {
        (0..<depth).reduce(FieldValue.longString("leaf")) { inner, _ in .array([inner]) }
    }

    @Test func argumentsAnAMQPClientCouldSendPass() throws {
        let arguments: FieldTable = ["x-max-length": .int64(10), "x-nested": Self.nested(63), "x-table": .table(["k": .boolean(true)])]
        #expect(try RequestInput.carriedByAMQP(arguments) == arguments)
    }

    @Test(arguments: [
        (["x-nested": nested(64)] as FieldTable, "arguments nest deeper than an AMQP field table may (64 levels)"),
        ([String(repeating: "k", count: 256): .int64(1)] as FieldTable, "arguments have a key longer than 255 bytes"),
        (["x": .table([String(repeating: "k", count: 300): .int64(1)])] as FieldTable, "arguments have a key longer than 255 bytes"),
    ])
    func argumentsAMQPCannotCarryAre400(arguments: FieldTable, reason: String) {
        do {
            _ = try RequestInput.carriedByAMQP(arguments)
            Issue.record("accepted")
        } catch let error as APIError {
            #expect(error.status == .badRequest)
            #expect(error.reason == reason)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
