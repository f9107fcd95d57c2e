import Foundation
import Testing

@testable import Management

/// RabbitMQ's list parameters: sorting, paging, the name filter, and precise 400s for hostile values.
@Suite struct ListQueryTests {
    static var items: [[String: Any]] { (1...250).map { ["name": String(format: "q%03d", $0), "vhost": "/", "messages": 250 - $0] } }

    func reason(_ parameters: [String: String]) -> String? {
        do {
            _ = try ListQuery.parse(parameters).answer(Self.items)
            return nil
        } catch let error as APIError {
            #expect(error.status == .badRequest)
            return "\(error.error): \(error.reason)"
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func withoutPageTheAnswerIsTheWholeListSortedByVhostThenName() throws {
        let answer = try #require(try ListQuery.parse([:]).answer(Self.items.reversed()) as? [[String: Any]])
        #expect(answer.count == 250)
        #expect(answer.first?["name"] as? String == "q001")
    }

    @Test func aPageHasRabbitMQsFields() throws {
        let page = try #require(try ListQuery.parse(["page": "2"]).answer(Self.items) as? [String: Any])
        #expect(Set(page.keys) == ["filtered_count", "item_count", "items", "page", "page_count", "page_size", "total_count"])
        #expect(page["page"] as? Int == 2)
        #expect(page["page_size"] as? Int == 100)
        #expect(page["page_count"] as? Int == 3)
        #expect(page["item_count"] as? Int == 100)
        #expect(page["total_count"] as? Int == 250)
        #expect(((page["items"] as? [[String: Any]])?.first?["name"]) as? String == "q101")
    }

    @Test func theLastPageHoldsTheRest() throws {
        let page = try #require(try ListQuery.parse(["page": "3", "page_size": "100"]).answer(Self.items) as? [String: Any])
        #expect(page["item_count"] as? Int == 50)
    }

    @Test func sortOnANumberAndReverse() throws {
        let sorted = try #require(try ListQuery.parse(["sort": "messages"]).answer(Self.items) as? [[String: Any]])
        #expect(sorted.first?["name"] as? String == "q250")
        let reversed = try #require(try ListQuery.parse(["sort": "messages", "sort_reverse": "true"]).answer(Self.items) as? [[String: Any]])
        #expect(reversed.first?["name"] as? String == "q001")
    }

    @Test func theNameFilterIsACaseInsensitiveSubstringAndCountsWhatItKept() throws {
        let page = try #require(try ListQuery.parse(["page": "1", "name": "Q00"]).answer(Self.items) as? [String: Any])
        #expect(page["filtered_count"] as? Int == 9)
        #expect(page["total_count"] as? Int == 250)
        #expect(page["page_count"] as? Int == 1)
    }

    @Test func theNameFilterAsARegex() throws {
        let page = try #require(try ListQuery.parse(["page": "1", "name": "^Q2[0-4]\\d$", "use_regex": "true"]).answer(Self.items) as? [String: Any])
        #expect(page["filtered_count"] as? Int == 50)
    }

    @Test func anEmptyListHasOnePageOfNothing() throws {
        let page = try #require(try ListQuery.parse(["page": "1"]).answer([]) as? [String: Any])
        #expect(page["page_count"] as? Int == 0)
        #expect(page["item_count"] as? Int == 0)
    }

    @Test func hostileValuesAreRefusedWithTheirReason() {
        #expect(reason(["page": "0"]) == "invalid_pagination_parameters: Invalid pagination parameters: page number 0, page size undefined"
                + " (page must be at least 1, page_size from 1 to 500)")
        #expect(reason(["page": "1", "page_size": "-1"])?.hasPrefix("invalid_pagination_parameters: Invalid pagination parameters: page number 1, page size -1 (") == true)
        #expect(reason(["page": "1", "page_size": "501"])?.contains("page size 501 (") == true)
        #expect(reason(["page": "1", "page_size": "99999999999999999999"])?.contains("page size 99999999999999999999 (") == true)
        #expect(reason(["page": "99999999999999999999"]) == "page_out_of_range: Page out of range, page: 99999999999999999999 page size: 100, len: 250")
        #expect(reason(["page": "-99999999999999999999"])?.hasPrefix("bad_request: Pagination parameters are invalid: page \"-99999999999999999999\"") == true)
        #expect(reason(["page": "1", "page_size": "NaN"])?.contains("page_size \"NaN\"") == true)
        #expect(reason(["page": "4"]) == "page_out_of_range: Page out of range, page: 4 page size: 100, len: 250")
        #expect(reason(["page": String(Int.max)]) == "page_out_of_range: Page out of range, page: \(Int.max) page size: 100, len: 250")
        #expect(reason(["page": "1", "name": String(repeating: "x", count: 1 << 20)]) == "bad_request: name is 1048576 bytes long; at most 255 are allowed")
        #expect(reason(["page": "1", "name": "(?=a)", "use_regex": "true"])?.hasPrefix("bad_request: name is not a regular expression warren can run") == true)
        #expect(reason(["sort_reverse": "1"]) == "bad_request: sort_reverse must be true or false, not \"1\"")
        #expect(reason(["sort": String(repeating: ".", count: 300)]) == "bad_request: sort is 300 bytes long; at most 255 are allowed")
    }

    @Test func useRegexOtherThanTrueFiltersOnASubstringAsRabbitMQ() throws {
        let page = try #require(try ListQuery.parse(["page": "1", "name": "q1.", "use_regex": "yes"]).answer(Self.items) as? [String: Any])
        #expect(page["filtered_count"] as? Int == 0)
    }

    @Test func aLongValueIsCutInTheReason() throws {
        let digits = try #require(reason(["page": String(repeating: "9", count: 100_000)]))
        #expect(digits.count < 200)
        #expect(digits.contains("(100000 digits)"))
        let text = try #require(reason(["page": String(repeating: "x", count: 100_000)]))
        #expect(text.count < 200)
        #expect(text.contains("(100000 bytes)"))
    }

    @Test func formQueriesDecodePlusAndPercent() {
        #expect(FormQuery.parameters("name=a+b%2Bc&page=1&page=2&flag") == ["name": "a b+c", "page": "1", "flag": ""])
    }
}
