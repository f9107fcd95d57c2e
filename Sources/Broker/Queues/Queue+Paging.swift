/// Paging: over its memory limit a queue writes each further message to its pager as a
/// `PageRecord` and keeps a 48-byte `PagedMessage`; when one reaches the front it is read back
/// together with the paged messages behind it, so consumers are served from memory. The next
/// such batch is asked for ahead (`BodyPager.prefetch`) once only a batch is left in memory before
/// it, so the pager reads it while consumers take those.
extension Queue {
    /// Paged messages read back at once, at most.
    static let readAheadCount = 256

    /// Whether a new message goes to disk: the queue is over its memory limit, or earlier
    /// messages of its priority are on disk (it must not overtake them); not while messages of its
    /// priority that could not be paged wait after a run (it must not overtake those either).
    func pagesNext(_ message: Message) -> Bool {
        guard pager != nil, let mustPage = ready.mustPage(priority: message.priority) else { return false }
        return mustPage || readyBytes + message.footprint > memoryLimit
    }

    /// Writes the message's record and keeps its `PagedMessage`; false when the pager could not
    /// write it (it then stays in memory, in order).
    func pageOut(_ entry: QueuedMessage) -> Bool {
        guard let pager, let location = pager.pageOut(PageRecord.encode(entry.message)) else { return false }
        let bodyLength = entry.message.body.readableBytes
        ready.append(PagedMessage(sequence: entry.sequence, storeID: entry.storeID, expiresAt: entry.expiresAt, location: location,
                                  bodyLength: UInt32(clamping: bodyLength), priority: entry.message.priority,
                                  redelivered: entry.redelivered))
        readyBytes += PagedMessage.footprint
        readyBodyBytes += bodyLength
        return true
    }

    /// Reads `first` (just taken from the front) and up to `readAheadCount - 1` paged messages
    /// behind it back from disk and puts them at the front, in memory. A record that cannot be
    /// read (or decoded) is recovered by the pager: a persistent message from the message log;
    /// one that is lost is dropped, and its store id kept in `lostStoreIDs` for the broker.
    func readBack(_ first: PagedMessage) {
        let batch = [first] + ready.popPaged(following: first, limit: Self.readAheadCount - 1)
        let records = pager?.pageIn(batch.map(\.location)) ?? []
        var messages = batch.indices.map { index in index < records.count ? records[index].flatMap(PageRecord.decode) : nil }
        let unread = messages.indices.filter { messages[$0] == nil }
        if !unread.isEmpty, let pager {
            let stored = pager.recover(unread.map { batch[$0].storeID }, queue: name, vhost: vhost)
            for (index, message) in zip(unread, stored) { messages[index] = message.map(Message.init) }
        }
        var restored: [QueuedMessage] = []
        restored.reserveCapacity(batch.count)
        for (paged, message) in zip(batch, messages) {
            readyBytes -= PagedMessage.footprint
            readyBodyBytes -= Int(paged.bodyLength)
            guard let message else {
                if paged.storeID != 0 { lostStoreIDs.append(paged.storeID) }
                continue
            }
            readyBytes += message.footprint
            readyBodyBytes += message.body.readableBytes
            restored.append(QueuedMessage(message: message, sequence: paged.sequence, redelivered: paged.redelivered,
                                          storeID: paged.storeID, expiresAt: paged.expiresAt))
        }
        ready.restoreFront(restored)
        readAheadIfDue(priority: first.priority)
    }

    /// Asks the pager for the next batch of paged messages of this priority's level when exactly
    /// `readAheadCount` messages in memory come before them.
    func readAheadIfDue(priority: UInt8) {
        guard let pager, let locations = ready.pagedAhead(priority: priority, limit: Self.readAheadCount) else { return }
        pager.prefetch(locations)
    }
}
