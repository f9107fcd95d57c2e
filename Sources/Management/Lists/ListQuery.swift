import Foundation
import Hummingbird

/// RabbitMQ's parameters of a list endpoint: `sort` and `sort_reverse` (always), and paging with
/// `page`, `page_size`, `name` and `use_regex`; without `page` the answer is the whole (sorted) list.
struct ListQuery: Sendable {
    static let defaultPageSize = 100
    static let maxPageSize = 500
    /// Longest `sort` path accepted: a dotted field path, never longer than a few names.
    static let maxSortLength = 255

    /// One page of the filtered list.
    struct Page: Sendable {
        /// `Int.max` for a page number past any integer (as page numbers go, past the last page).
        let number: Int
        /// The page number as the request gave it, for reasons.
        let label: String
        let size: Int
        let filter: NameFilter?
    }

    /// The column sorted on before RabbitMQ's default `vhost`, `name` (a dotted path into the item).
    let sort: [String]?
    let reverse: Bool
    let page: Page?

    static func parse(_ request: Request) throws -> ListQuery {
        try parse(FormQuery.parameters(request.uri.query ?? ""))
    }

    /// 400 with a precise reason for a page or page size that is not a positive integer (page size
    /// at most 500), a `sort_reverse` other than true or false, or a bad `name` filter.
    static func parse(_ parameters: [String: String]) throws -> ListQuery {
        let sort = try parameters["sort"].map { try sortPath($0) }
        let reverse = try flag(parameters["sort_reverse"], "sort_reverse")
        guard let pageText = parameters["page"] else { return ListQuery(sort: sort, reverse: reverse, page: nil) }
        let sizeText = parameters["page_size"]
        guard let number = whole(pageText), let size = sizeText.map(whole) ?? defaultPageSize else {
            throw APIError.badRequest("Pagination parameters are invalid: page \(quoted(pageText)) and page_size "
                                      + "\(sizeText.map(quoted) ?? "(absent)") must be whole numbers")
        }
        guard number > 0, size > 0, size <= maxPageSize else {
            throw APIError(status: .badRequest, error: "invalid_pagination_parameters",
                           reason: "Invalid pagination parameters: page number \(shown(pageText)), page size \(sizeText.map(shown) ?? "undefined")"
                               + " (page must be at least 1, page_size from 1 to \(maxPageSize))")
        }
        // As RabbitMQ: any use_regex other than "true" filters on a substring.
        let filter = try NameFilter.parse(parameters["name"] ?? "", regex: parameters["use_regex"] == "true")
        return ListQuery(sort: sort, reverse: reverse, page: Page(number: number, label: shown(pageText), size: size, filter: filter))
    }

    /// The items sorted on `sort` then `vhost` and `name` (reversed with `sort_reverse`), and when a
    /// page is asked for, RabbitMQ's page object; 400 for a page past the last one.
    func answer(_ items: [[String: Any]]) throws -> Any {
        let keys = (sort.map { [$0] } ?? []) + [["vhost"], ["name"]]
        let sorted = JSONOrdering.sorted(items, on: keys)
        let ordered = reverse ? Array(sorted.reversed()) : sorted
        guard let page else { return ordered }
        let filtered = page.filter.map { filter in ordered.filter { filter.matches($0["name"] as? String ?? "") } } ?? ordered
        let pageCount = filtered.count / page.size + (filtered.count % page.size == 0 ? 0 : 1)
        guard page.number <= max(pageCount, 1) else {
            throw APIError(status: .badRequest, error: "page_out_of_range",
                           reason: "Page out of range, page: \(page.label) page size: \(page.size), len: \(filtered.count)")
        }
        let start = (page.number - 1) * page.size  // number ≤ page count, so start < count: no overflow
        let items = Array(filtered[start..<min(start + page.size, filtered.count)])
        return ["total_count": ordered.count, "item_count": items.count,
                "filtered_count": filtered.count, "page": page.number, "page_size": page.size, "page_count": pageCount, "items": items]
    }

    private static func sortPath(_ text: String) throws -> [String] {
        guard text.utf8.count <= maxSortLength else {
            throw APIError.badRequest("sort is \(text.utf8.count) bytes long; at most \(maxSortLength) are allowed")
        }
        return text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    private static func flag(_ text: String?, _ name: String) throws -> Bool {
        switch text {
        case nil, "false": return false
        case "true": return true
        case let other?: throw APIError.badRequest("\(name) must be true or false, not \(quoted(other))")
        }
    }

    /// An integer; `Int.max` for digits past it (RabbitMQ's integers have no end); nil for anything else.
    private static func whole(_ text: String) -> Int? {
        Int(text) ?? (!text.isEmpty && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ? Int.max : nil)
    }

    /// An integer parameter in a reason: as given (`+5` is 5), cut at 40 digits.
    private static func shown(_ text: String) -> String {
        Int(text).map(String.init) ?? (text.count > 40 ? "\(text.prefix(40))… (\(text.utf8.count) digits)" : text)
    }

    /// A parameter's value in a reason: quoted, cut at 40 characters.
    static func quoted(_ text: String) -> String {
        text.count > 40 ? "\"\(text.prefix(40))…\" (\(text.utf8.count) bytes)" : "\"\(text)\""
    }
}
