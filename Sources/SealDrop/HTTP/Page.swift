/// One page of a listing read newest (or oldest) first, as `/fetch` and
/// `/get_message_requests` page: `limit` entries, and `count`, `has_more` and
/// `next_cursor` (the id to continue from) in the answer.
struct Page {
    /// Entries asked for. Out-of-range limits are clamped, as the original server did.
    let size: Int

    init(_ body: RequestBody, limits: Limits) throws(APIError) {
        var size = limits.defaultPageSize
        if let asked = try body.optionalInteger("limit", in: Int64.min...Int64.max) {
            size = Int(max(1, min(asked, Int64(limits.maxPageSize))))
        }
        self.size = size
    }

    /// How many entries to read: one more than the page tells whether another follows.
    var readCount: Int { size + 1 }

    /// Entries read with ``readCount``, cut to the page, and whether more follow.
    func cut<Entry>(_ entries: [Entry]) -> (entries: ArraySlice<Entry>, hasMore: Bool) {
        (entries.prefix(size), entries.count > size)
    }

    /// `count`, `has_more` and `next_cursor`: the id to continue from, as the original
    /// server gave it on every non-empty page (the last entry's), so a client stops on
    /// `has_more`, never on a null cursor.
    static func writeSummary(count: Int, hasMore: Bool, cursor: Int64?, to json: inout JSONWriter) {
        json.field("count", Int64(count))
        json.field("has_more", hasMore)
        json.key("next_cursor")
        if let cursor { json.int(cursor) } else { json.null() }
    }
}
