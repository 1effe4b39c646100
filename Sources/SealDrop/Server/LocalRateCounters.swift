import Sodium
import Synchronization

/// This process's share of the flood limits' counts. Each hit is decided here,
/// against the database's total as last read plus the hits counted here since,
/// and the hits are folded into the database in one statement about once a
/// second, which reads the new totals back on the same trip. A request pays no
/// round trip for its limit; the database still holds every process's and
/// every host's counts, so limits hold across them.
///
/// **The bound.** A process admits at most `threshold` hits of a bucket between
/// two reads of its total: when its unfolded hits of a bucket reach the
/// threshold (a 32nd of the limit), it folds at once. So with N processes on
/// all hosts, a client gets at most `limit + (N - 1) × threshold` requests through
/// in a window (300 a minute, 2 processes: 309; 4: 327). A process killed outright
/// loses its unfolded hits: fewer than `threshold` per bucket, each death.
/// Limits below 64 (their threshold would be 1) are written through on every hit,
/// exactly as before, and so is every hit when the table is full or folding is off.
public final class LocalRateCounters: Sendable {
    public struct Policy: Sendable {
        /// How long hits may wait before they are folded; 0 writes every hit through.
        public var foldIntervalMicroseconds: Int64
        /// Buckets kept at most (about 100 bytes each); past it, hits are written through.
        public var capacity: Int

        public static let writeThrough = Policy(foldIntervalMicroseconds: 0, capacity: 0)

        public init(foldIntervalMilliseconds: Int, capacity: Int = 16_000) {
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
        /// Counted here; with `foldNow`, the bucket's hits since its total was read reached the threshold.
        case admitted(foldNow: Bool)
        /// Under the limit, but its total must be read again before more are admitted here.
        case needsRead
        /// Not kept here: count it in the database and decide by its answer.
        case writeThrough
    }

    public let policy: Policy
    private let table: Mutex<CounterTable>
    private let nextFoldDue = Atomic<Int64>(0)

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

    /// Folds every unfolded hit into the database and takes the totals back. On
    /// failure the hits stay here, to go with the next fold.
    func fold(into store: Store, now: Int64 = Int64(Timestamp.secondsSince1970())) {
        let batch = table.withLock { $0.takePending() }
        guard !batch.isEmpty else { return }
        do {
            let totals = try store.foldHits(batch.map(\.fold))
            table.withLock { $0.settle(batch, totals: totals, now: now) }
        } catch {
            table.withLock { $0.restore(batch) }
            RequestLog.notice("rate counters kept for the next fold: \(error)")
        }
    }

    /// Folds when the interval has passed since the last fold; one caller per turn.
    func foldIfDue(into store: Store) {
        guard policy.foldIntervalMicroseconds > 0, claimTurn() else { return }
        fold(into: store)
    }

    /// For a worker about to sleep: folds what waits if its turn has come, and
    /// says how long the worker may sleep before it should ask again (nil: until
    /// a request comes), so hits counted just before a quiet spell still reach
    /// the database within about one interval.
    func foldBeforeSleeping(into store: Store) -> Int64? {
        guard policy.foldIntervalMicroseconds > 0, table.withLock({ $0.hasPending }) else { return nil }
        if claimTurn() { fold(into: store) }
        guard table.withLock({ $0.hasPending }) else { return nil }
        let wait = nextFoldDue.load(ordering: .relaxed) - monotonicMicroseconds()
        return max(1000, wait)
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
        return nextFoldDue.compareExchange(expected: due, desired: now + policy.foldIntervalMicroseconds,
                                           ordering: .relaxed).exchanged
    }
}

/// A bucket as the table keys it: its keyed hash's 32 bytes and window, held
/// inline so a bucket costs no allocation of its own.
struct BucketID: Hashable, Sendable {
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

    func hash(into hasher: inout Hasher) {
        hasher.combine(digest.0)
        hasher.combine(digest.1)
        hasher.combine(digest.2)
        hasher.combine(digest.3)
        hasher.combine(windowStart)
    }
}

/// Hits taken out of the table for one fold, to be settled by its answer.
struct PendingFold {
    let id: BucketID
    let fold: CounterFold
    /// The bucket's admissions here when the hits were taken: the fold's answer
    /// knows every one of them.
    let admittedAtTake: Int
}

/// The counts behind ``LocalRateCounters``, always used under its lock.
struct CounterTable {
    /// Small and inline (the bucket's name is made from its id when folded), so
    /// a full table stays within about 1.5 MiB.
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
    /// Set when pruning a full table freed nothing; cleared by the next fold, so a
    /// flood of new buckets costs one scan per fold, not one per hit.
    private var fullSinceFold = false

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { entries.count }
    var hasPending: Bool { entries.values.contains { $0.pending > 0 } }

    /// Admits while the bucket is under its limit as far as this process knows and
    /// fewer than `threshold` hits were admitted since its total was last read:
    /// concurrent threads must not stretch one read further. At the threshold the
    /// caller folds (which reads the total) and asks again.
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
        entry.pending += 1
        entry.admitted += 1
        entries[id] = entry
        return .admitted(foldNow: entry.sinceRead >= threshold)
    }

    /// Every bucket's unfolded hits, now in flight, in one order (so concurrent
    /// folds lock rows in the same order and cannot deadlock each other).
    mutating func takePending() -> [PendingFold] {
        var batch: [PendingFold] = []
        for (id, entry) in entries where entry.pending > 0 {
            batch.append(PendingFold(id: id, fold: CounterFold(
                bucket: id.name, windowStart: id.windowStart, expiresAt: entry.windowEnd(id), hits: Int(entry.pending)),
                admittedAtTake: Int(entry.admitted)))
            entries[id]!.inFlight += entry.pending
            entries[id]!.pending = 0
        }
        return batch.sorted { ($0.fold.bucket, $0.fold.windowStart) < ($1.fold.bucket, $1.fold.windowStart) }
    }

    mutating func settle(_ batch: [PendingFold], totals: [CounterTotal], now: Int64) {
        var byBucket: [String: Int] = [:]
        for total in totals { byBucket[total.bucket + ":" + String(total.windowStart)] = total.hits }
        for sent in batch {
            guard var entry = entries[sent.id] else { continue }
            entry.inFlight -= Int32(sent.fold.hits)
            // Totals only grow within a window; a slower fold's older answer must not win.
            let read = byBucket[sent.fold.bucket + ":" + String(sent.fold.windowStart)] ?? 0
            entry.total = max(entry.total, Int32(clamping: read))
            entry.admittedAtRead = max(entry.admittedAtRead, Int32(sent.admittedAtTake))
            entries[sent.id] = entry
        }
        fullSinceFold = false
        if entries.count > capacity / 2 { prune(now: now) }
    }

    func unfoldedHits(of id: BucketID) -> Int {
        entries[id].map { Int($0.pending) + Int($0.inFlight) } ?? 0
    }

    mutating func learn(total: Int, of id: BucketID) {
        guard let entry = entries[id] else { return }
        entries[id]!.total = max(entry.total, Int32(clamping: total))
    }

    mutating func restore(_ batch: [PendingFold]) {
        for sent in batch where entries[sent.id] != nil {
            entries[sent.id]!.inFlight -= Int32(sent.fold.hits)
            entries[sent.id]!.pending += Int32(sent.fold.hits)
        }
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
        entries = entries.filter { id, entry in
            guard entry.pending == 0, entry.inFlight == 0 else { return true }
            guard entry.windowEnd(id) > now else { return false }
            return entry.known + LocalRateCounters.threshold(forLimit: Int(entry.limit)) >= Int(entry.limit)
        }
    }
}
