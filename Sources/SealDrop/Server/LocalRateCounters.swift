import FastCGI
import Sodium
import Synchronization

/// This process's share of the flood limits' counts. Each hit is decided here,
/// against the database's total as last read plus the hits counted here since,
/// and the hits are folded into the database about once a second by statements
/// that read the new totals back on the same trip. A request pays no round trip
/// for its limit; the database still holds every process's and every host's
/// counts, so limits hold across them.
///
/// **The bound.** A process admits at most `threshold` hits of a bucket (a 32nd
/// of the limit) between two reads of its total: the next hit first folds that
/// bucket alone, which reads it. So when N processes serve a client within a
/// window (on every host, counting processes started or replaced during it), it
/// gets at most `limit + (N - 1) × threshold` requests through (300 a minute, 2
/// processes: 309; 4: 327). A process killed outright, or whose fold failed,
/// loses its unfolded hits: at most `threshold` per bucket, each time. Limits
/// below 64 (their threshold would be 1) are written through on every hit,
/// exactly as before, and so is every hit when the table is full or folding is off.
public final class LocalRateCounters: Sendable {
    public struct Policy: Sendable {
        /// How long hits may wait before they are folded; 0 writes every hit through.
        public var foldIntervalMicroseconds: Int64
        /// Buckets kept at most (about 100 bytes each); past it, hits are written through.
        public var capacity: Int

        public static let writeThrough = Policy(foldIntervalMicroseconds: 0, capacity: 0)

        public init(foldIntervalMilliseconds: Int, capacity: Int = 8192) {
            self.foldIntervalMicroseconds = Int64(foldIntervalMilliseconds) * 1000
            self.capacity = capacity
        }

        init(foldIntervalMicroseconds: Int64, capacity: Int) {
            self.foldIntervalMicroseconds = foldIntervalMicroseconds
            self.capacity = capacity
        }
    }

    /// What a hit comes to.
    enum Admission: Equatable {
        /// Over the limit as far as this process knows: 429, and not counted.
        case refused
        /// Counted here.
        case admitted
        /// Under the limit, but `threshold` hits were admitted here since its total
        /// was read: fold this bucket (which reads it) and ask again.
        case needsRead
        /// Not kept here: count it in the database and decide by its answer.
        case writeThrough
    }

    public let policy: Policy
    private let table: Mutex<CounterTable>
    private let nextFoldDue = Atomic<Int64>(0)
    /// Whether the last fold failed: logged once per outage, and folds back off.
    private let failing = Atomic<Bool>(false)

    /// For requests served one per process (CGI) and for tests: every hit goes to the database.
    public static let writeThrough = LocalRateCounters(policy: .writeThrough)

    public init(policy: Policy) {
        self.policy = policy
        self.table = Mutex(CounterTable(capacity: policy.capacity))
    }

    /// The hits a process may admit between two reads of a bucket's total.
    static func threshold(forLimit limit: Int) -> Int { max(1, limit / 32) }

    func admit(_ bucket: RateBucket, id: BucketID, now: Int64 = Int64(Timestamp.secondsSince1970())) -> Admission {
        let threshold = Self.threshold(forLimit: bucket.limit)
        guard policy.foldIntervalMicroseconds > 0, threshold > 1 else { return .writeThrough }
        return table.withLock { $0.admit(bucket, id: id, threshold: threshold, now: now) }
    }

    /// Folds every unfolded hit into the database and takes the totals back.
    func fold(into store: Store, now: Int64 = Int64(Timestamp.secondsSince1970())) {
        fold(table.withLock { $0.takePending() }, into: store, now: now)
    }

    /// Folds one bucket, with whatever it has unfolded (perhaps nothing: the fold
    /// still reads its total), so a hit at the threshold waits for one short
    /// statement, not for every bucket of the process.
    func fold(_ id: BucketID, into store: Store, now: Int64 = Int64(Timestamp.secondsSince1970())) {
        fold(table.withLock { $0.take(id) }, into: store, now: now)
    }

    /// A fold that fails may still have reached the database (a connection lost
    /// after the commit), so its hits are dropped rather than sent again: at most
    /// `threshold` per bucket, as when a process is killed.
    private func fold(_ taken: [TakenHits], into store: Store, now: Int64) {
        guard !taken.isEmpty else { return }
        // Ordered outside the lock, by digest: the rows' key order, the same in
        // every process, so concurrent folds never deadlock on each other's rows.
        let ordered = taken.sorted { $0.id < $1.id }
        // A chunk at a time, names and all, so a fold of thousands of buckets never
        // holds more than one chunk's strings and rows at once.
        for start in stride(from: 0, to: ordered.count, by: Self.foldChunk) {
            let batch = ordered[start..<min(start + Self.foldChunk, ordered.count)].map { PendingFold(taken: $0) }
            do {
                let totals = try store.foldHits(batch.map(\.fold))
                table.withLock { $0.settle(batch, totals: totals) }
            } catch {
                let rest = ordered[start...].map { PendingFold(taken: $0) }
                table.withLock { $0.drop(rest) }
                if !failing.exchange(true, ordering: .relaxed) {
                    RequestLog.notice("rate counters could not be folded (their hits are dropped until it works): \(error)")
                }
                return
            }
        }
        table.withLock { $0.pruneIfDue(now: now) }
        if failing.exchange(false, ordering: .relaxed) { RequestLog.notice("rate counters folded again") }
    }

    /// Buckets sent in one statement (the store's own limit on a statement's rows).
    static let foldChunk = 256

    /// Folds when the interval has passed since the last fold; one caller per turn.
    func foldIfDue(into store: Store) {
        guard policy.foldIntervalMicroseconds > 0, claimTurn() else { return }
        foldTurn(into: store)
    }

    /// The timed fold of a turn claimed, then the next turn set.
    ///
    /// A fold of thousands of buckets allocates a few MiB for a moment (names,
    /// rows, answers) among the table's long-lived storage; malloc keeps what is
    /// freed in its arenas, and a worker under a flood of distinct addresses grew
    /// from 12 to 35 MiB resident. Handing free pages back after each timed fold
    /// keeps it near its size at rest.
    private func foldTurn(into store: Store) {
        fold(into: store)
        scheduleNextTurn()
        ProcessMemory.returnFreedPages()
    }

    /// For a worker about to sleep: folds what waits if its turn has come, and
    /// says how long the worker may sleep before it should ask again (nil: until
    /// a request comes), so hits counted just before a quiet spell still reach
    /// the database within about one interval.
    func foldBeforeSleeping(into store: Store) -> Int64? {
        guard policy.foldIntervalMicroseconds > 0, table.withLock({ $0.hasPending }) else { return nil }
        if claimTurn() { foldTurn(into: store) }
        guard table.withLock({ $0.hasPending }) else { return nil }
        let wait = nextFoldDue.load(ordering: .relaxed) - monotonicMicroseconds()
        return max(policy.foldIntervalMicroseconds / 10, wait)
    }

    /// Buckets kept now (for tests of the memory bound).
    var bucketCount: Int { table.withLock { $0.count } }

    /// Hits of the bucket counted here and not yet known to be in the database.
    func unfoldedHits(of id: BucketID) -> Int { table.withLock { $0.unfoldedHits(of: id) } }

    /// A total the database gave for a hit written through.
    func learn(total: Int, of id: BucketID) { table.withLock { $0.learn(total: total, of: id) } }

    private func claimTurn() -> Bool {
        let now = monotonicMicroseconds()
        let due = nextFoldDue.load(ordering: .relaxed)
        guard now >= due else { return false }
        // Nobody else may start a fold while this one runs, however long it takes.
        return nextFoldDue.compareExchange(expected: due, desired: Int64.max, ordering: .relaxed).exchanged
    }

    /// The next turn comes an interval after this fold ended, or, while folds
    /// fail, after at least five seconds: a database that is down is not asked
    /// again by every idle worker every few milliseconds.
    private func scheduleNextTurn() {
        let wait = failing.load(ordering: .relaxed) ? max(policy.foldIntervalMicroseconds, 5_000_000)
                                                     : policy.foldIntervalMicroseconds
        nextFoldDue.store(monotonicMicroseconds() + wait, ordering: .relaxed)
    }
}

/// A bucket as the table keys it: its keyed hash's 32 bytes and window, held
/// inline so a bucket costs no allocation of its own.
struct BucketID: Hashable, Comparable, Sendable {
    let digest: (UInt64, UInt64, UInt64, UInt64)
    let windowStart: Int64

    init(digest bytes: [UInt8], windowStart: Int64) {
        precondition(bytes.count == 32, "a bucket digest is 32 bytes")
        func word(_ index: Int) -> UInt64 {
            bytes[index * 8..<index * 8 + 8].reduce(0) { $0 << 8 | UInt64($1) }
        }
        digest = (word(0), word(1), word(2), word(3))
        self.windowStart = windowStart
    }

    /// The bucket's row name: its digest in hex, as ``RateLimiter`` names it.
    var name: String {
        let words = [digest.0, digest.1, digest.2, digest.3]
        return Hex.encode(words.flatMap { word in (0..<8).reversed().map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) } })
    }

    static func == (lhs: BucketID, rhs: BucketID) -> Bool {
        lhs.digest == rhs.digest && lhs.windowStart == rhs.windowStart
    }

    /// The order of the rows' key (name, window): the hex name sorts as its digest's
    /// big-endian words do.
    static func < (lhs: BucketID, rhs: BucketID) -> Bool {
        (lhs.digest.0, lhs.digest.1, lhs.digest.2, lhs.digest.3, lhs.windowStart)
            < (rhs.digest.0, rhs.digest.1, rhs.digest.2, rhs.digest.3, rhs.windowStart)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(digest.0)
        hasher.combine(digest.1)
        hasher.combine(digest.2)
        hasher.combine(digest.3)
        hasher.combine(windowStart)
    }
}

/// One bucket's hits taken out of the table for a fold.
struct TakenHits {
    let id: BucketID
    let hits: Int
    let windowSeconds: Int
    /// The bucket's admissions here when the hits were taken, less those another
    /// fold still has in flight: the fold's answer knows every one of these. (A
    /// read that took them as known would let this process admit its threshold
    /// again while hits it already admitted are still out of other processes' sight.)
    let admittedAtTake: Int
}

/// A fold's row, with what settling it needs.
struct PendingFold {
    let taken: TakenHits
    let fold: CounterFold

    init(taken: TakenHits) {
        self.taken = taken
        fold = CounterFold(bucket: taken.id.name, windowStart: taken.id.windowStart,
                           expiresAt: taken.id.windowStart + Int64(taken.windowSeconds), hits: taken.hits)
    }
}

/// The counts behind ``LocalRateCounters``, always used under its lock.
struct CounterTable {
    /// Small and inline (the bucket's name is made from its id when folded), so
    /// a full table (8,192 buckets) stays within about 1 MiB.
    private struct Entry {
        /// The database's total as last read.
        var total: Int32 = 0
        /// Counted here, not yet sent.
        var pending: Int32 = 0
        /// Sent in a fold still under way.
        var inFlight: Int32 = 0
        /// Admitted here in this window, and how many of them the last answer read knew.
        var admitted: Int32 = 0
        var admittedAtRead: Int32 = 0
        let limit: Int32
        let windowSeconds: Int32

        var known: Int { Int(total) + Int(pending) + Int(inFlight) }
        /// Admitted on the strength of the last total read.
        var sinceRead: Int { Int(admitted) - Int(admittedAtRead) }
        func windowEnd(_ id: BucketID) -> Int64 { id.windowStart + Int64(windowSeconds) }
    }

    private let capacity: Int
    private var entries: [BucketID: Entry] = [:]
    /// The buckets with hits pending, so a fold visits only those.
    private var pendingIDs: [BucketID] = []
    /// Set when pruning a full table freed nothing; cleared by the next fold, so a
    /// flood of new buckets costs one scan per fold, not one per hit.
    private var fullSinceFold = false
    /// When the table was last pruned (seconds): at most once a second.
    private var prunedAt: Int64 = 0

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { entries.count }
    var hasPending: Bool { !pendingIDs.isEmpty }

    /// Admits while the bucket is under its limit as far as this process knows and
    /// fewer than `threshold` hits were admitted since its total was last read:
    /// concurrent threads must not stretch one read further.
    mutating func admit(_ bucket: RateBucket, id: BucketID, threshold: Int, now: Int64) -> LocalRateCounters.Admission {
        var entry: Entry
        if let known = entries[id] {
            entry = known
        } else {
            guard entries.count < capacity || makeRoom(now: now) else { return .writeThrough }
            entry = Entry(limit: Int32(clamping: bucket.limit), windowSeconds: Int32(clamping: bucket.windowSeconds))
        }
        guard entry.known < bucket.limit else { return .refused }
        guard entry.sinceRead < threshold else { return .needsRead }
        if entry.pending == 0 { pendingIDs.append(id) }
        entry.pending += 1
        entry.admitted += 1
        entries[id] = entry
        return .admitted
    }

    /// Every bucket's unfolded hits, now in flight.
    mutating func takePending() -> [TakenHits] {
        let ids = pendingIDs
        pendingIDs.removeAll(keepingCapacity: true)
        return ids.compactMap { takeEntry($0) }
    }

    /// One bucket's unfolded hits, now in flight; none pending still makes a row
    /// of 0 hits, whose answer is the bucket's total.
    mutating func take(_ id: BucketID) -> [TakenHits] {
        // Its id may stay in `pendingIDs`: a fold skips ids with nothing pending.
        guard let entry = entries[id] else { return [] }
        return [takeEntry(id) ?? TakenHits(id: id, hits: 0, windowSeconds: Int(entry.windowSeconds),
                                           admittedAtTake: Int(entry.admitted) - Int(entry.inFlight))]
    }

    private mutating func takeEntry(_ id: BucketID) -> TakenHits? {
        guard var entry = entries[id], entry.pending > 0 else { return nil }
        let taken = TakenHits(id: id, hits: Int(entry.pending), windowSeconds: Int(entry.windowSeconds),
                              admittedAtTake: Int(entry.admitted) - Int(entry.inFlight))
        entry.inFlight += entry.pending
        entry.pending = 0
        entries[id] = entry
        return taken
    }

    mutating func settle(_ batch: [PendingFold], totals: [CounterTotal]) {
        // The answer's rows come in the statement's order; matched by name, so an
        // answer in another order (or missing a row) is read right all the same.
        let inOrder = totals.count >= batch.count && zip(batch, totals).allSatisfy {
            $0.fold.bucket == $1.bucket && $0.fold.windowStart == $1.windowStart
        }
        var byBucket: [String: Int] = [:]
        if !inOrder {
            for total in totals { byBucket[total.bucket + ":" + String(total.windowStart)] = total.hits }
        }
        for (index, sent) in batch.enumerated() {
            guard var entry = entries[sent.taken.id] else { continue }
            entry.inFlight -= Int32(sent.taken.hits)
            // An answer without the bucket's row reads nothing: its admissions stay unconfirmed.
            if let read = inOrder ? totals[index].hits : byBucket[sent.fold.bucket + ":" + String(sent.fold.windowStart)] {
                // Totals only grow within a window; a slower fold's older answer must not win.
                entry.total = max(entry.total, Int32(clamping: read))
                entry.admittedAtRead = max(entry.admittedAtRead, Int32(sent.taken.admittedAtTake))
            }
            entries[sent.taken.id] = entry
        }
    }

    /// After a fold: a full table may take new buckets again, and it is pruned
    /// when more than half full, at most once a second.
    mutating func pruneIfDue(now: Int64) {
        fullSinceFold = false
        if entries.count > capacity / 2, now > prunedAt { prune(now: now) }
    }

    /// A failed fold's hits: they may have reached the database, so they are not
    /// sent again. Nothing was read, so the bucket's next hit past its threshold
    /// still reads it first.
    mutating func drop(_ batch: [PendingFold]) {
        for sent in batch where entries[sent.taken.id] != nil {
            entries[sent.taken.id]!.inFlight -= Int32(sent.taken.hits)
        }
    }

    func unfoldedHits(of id: BucketID) -> Int {
        entries[id].map { Int($0.pending) + Int($0.inFlight) } ?? 0
    }

    mutating func learn(total: Int, of id: BucketID) {
        guard let entry = entries[id] else { return }
        entries[id]!.total = max(entry.total, Int32(clamping: total))
    }

    private mutating func makeRoom(now: Int64) -> Bool {
        guard !fullSinceFold else { return false }
        prune(now: now)
        fullSinceFold = entries.count >= capacity
        return !fullSinceFold
    }

    /// Drops buckets whose window has ended, and settled buckets far from their
    /// limit: forgetting one only makes this process read its total again within
    /// `threshold` hits, which the bound already allows for. Buckets near or over
    /// their limit stay, so forgetting never lets a blocked client through.
    private mutating func prune(now: Int64) {
        prunedAt = now
        entries = entries.filter { id, entry in
            guard entry.pending == 0, entry.inFlight == 0 else { return true }
            guard entry.windowEnd(id) > now else { return false }
            return entry.known + LocalRateCounters.threshold(forLimit: Int(entry.limit)) >= Int(entry.limit)
        }
    }
}
