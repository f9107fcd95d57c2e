import HeapModule

/// The timed queues ordered by their next deadline (head message expiry, x-expires, or the
/// re-evaluation of a publisher hold, `BacklogPressure`), so a burst costs the queues it touched
/// and a timer firing costs the queues that are due, never a scan of every timed queue. Entries are replaced lazily: a queue whose deadline moved keeps its
/// old entry in the heap until it surfaces and is dropped; the heap is rebuilt once such stale
/// entries outnumber the live ones, so it stays within twice the number of timed queues.
struct TimerSchedule {
    private struct Entry: Comparable {
        let deadline: Int64
        let queue: Queue

        static func < (lhs: Entry, rhs: Entry) -> Bool { lhs.deadline < rhs.deadline }
        static func == (lhs: Entry, rhs: Entry) -> Bool { lhs.deadline == rhs.deadline && lhs.queue === rhs.queue }
    }

    private var heap = Heap<Entry>()
    /// Each queue's live entry.
    private var live: [ObjectIdentifier: Entry] = [:]

    /// Entries in the heap, stale ones included (at most twice the live ones, plus 64).
    var entryCount: Int { heap.count }

    /// The earliest deadline held (possibly a stale one: waking for it costs one pop).
    var earliest: Int64? { heap.min?.deadline }

    /// Sets when a queue next needs the timer; nil when it needs it for nothing.
    mutating func schedule(_ queue: Queue, at deadline: Int64?) {
        let id = ObjectIdentifier(queue)
        guard live[id]?.deadline != deadline else { return }
        guard let deadline else {
            live[id] = nil
            return
        }
        let entry = Entry(deadline: deadline, queue: queue)
        live[id] = entry
        heap.insert(entry)
        if heap.count > 2 * live.count + 64 { heap = Heap(live.values) }
    }

    /// Removes and returns the queues whose deadline is at or before `now`.
    mutating func takeDue(at now: Int64) -> [Queue] {
        var due: [Queue] = []
        while let first = heap.min, first.deadline <= now {
            heap.removeMin()
            let id = ObjectIdentifier(first.queue)
            guard live[id] == first else { continue }  // stale: the queue was rescheduled or forgotten
            live[id] = nil
            due.append(first.queue)
        }
        return due
    }

    /// Forgets a deleted queue.
    mutating func remove(_ queue: Queue) {
        live[ObjectIdentifier(queue)] = nil
    }
}
