import Sodium
import Testing
@testable import SealDrop

/// The per-process counter table on its own, against an in-memory store standing
/// in for the database all processes share. The end-to-end suite
/// (`LimitFoldTests`) runs the same against MariaDB with real processes.
@Suite("Local rate counters")
struct LocalRateCountersTests {
    private static let window: Int64 = 1_800_000_000

    private func bucket(_ key: String, limit: Int) -> (RateBucket, BucketID) {
        let digest = HMACSHA256.authenticator(for: Array(key.utf8), key: [1, 2, 3])
        return (RateBucket(name: Hex.encode(digest), windowStart: Self.window, windowSeconds: 60, limit: limit),
                BucketID(digest: digest, windowStart: Self.window))
    }

    /// One hit as RateLimiter makes it, against `store`; true when admitted.
    private func hit(_ counters: LocalRateCounters, _ key: String, limit: Int, store: InMemoryStore) throws -> Bool {
        let (rateBucket, id) = bucket(key, limit: limit)
        var admission = counters.admit(rateBucket, id: id, now: Self.window)
        if admission == .needsRead {
            counters.fold(id, into: store, now: Self.window)
            admission = counters.admit(rateBucket, id: id, now: Self.window)
        }
        switch admission {
        case .refused: return false
        case .admitted: return true
        case .needsRead, .writeThrough:
            let total = try store.countHit(rateBucket)
            let hits = total + counters.unfoldedHits(of: id)
            counters.learn(total: total, of: id)
            return hits <= limit
        }
    }

    private func total(_ key: String, in store: InMemoryStore) -> Int {
        let (rateBucket, _) = bucket(key, limit: 1)
        return store.counters["\(rateBucket.name)@\(Self.window)"] ?? 0
    }

    @Test("a bucket's name made from its id is the name RateLimiter gives it")
    func nameRoundTrips() {
        let (rateBucket, id) = bucket("203.0.113.9", limit: 300)
        #expect(id.name == rateBucket.name)
    }

    @Test("N tables on one store admit at most limit + (N - 1) × threshold, whatever the interleaving",
          arguments: [2, 3, 4, 8])
    func boundAcrossProcesses(processes: Int) throws {
        let limit = 300
        let threshold = LocalRateCounters.threshold(forLimit: limit)
        var generator = SystemRandomNumberGenerator()
        var worst = 0
        for _ in 0..<200 {
            let store = InMemoryStore()
            let tables = (0..<processes).map { _ in
                LocalRateCounters(policy: .init(foldIntervalMicroseconds: 3_600_000_000, capacity: 100))
            }
            var admitted = 0
            for _ in 0..<(limit * processes * 2) {
                let table = tables[Int.random(in: 0..<processes, using: &generator)]
                if Int.random(in: 0..<10, using: &generator) == 0 {
                    table.fold(into: store, now: Self.window)  // a timed fold
                } else if try hit(table, "client", limit: limit, store: store) {
                    admitted += 1
                }
            }
            for table in tables { table.fold(into: store, now: Self.window) }
            #expect(admitted >= limit)
            #expect(admitted <= limit + (processes - 1) * threshold)
            #expect(total("client", in: store) == admitted, "every admitted hit reaches the store")
            worst = max(worst, admitted)
        }
        print("local counters: \(processes) processes, limit \(limit): at most \(worst) admitted (bound \(limit + (processes - 1) * threshold))")
    }

    @Test("limits below 64 and a zero interval write through")
    func writeThrough() {
        let folded = LocalRateCounters(policy: .init(foldIntervalMilliseconds: 1000))
        let (small, smallID) = bucket("a", limit: 63)
        #expect(folded.admit(small, id: smallID) == .writeThrough)
        let (large, largeID) = bucket("a", limit: 64)
        #expect(folded.admit(large, id: largeID) == .admitted)
        #expect(LocalRateCounters.writeThrough.admit(large, id: largeID) == .writeThrough)
    }

    @Test("a full table writes new buckets through, and every hit still reaches the store")
    func capacityBound() throws {
        let store = InMemoryStore()
        let counters = LocalRateCounters(policy: .init(foldIntervalMicroseconds: 3_600_000_000, capacity: 1000))
        for index in 0..<2500 { #expect(try hit(counters, "address-\(index)", limit: 300, store: store)) }
        #expect(counters.bucketCount <= 1000)
        counters.fold(into: store, now: Self.window)
        let stored = (0..<2500).map { total("address-\($0)", in: store) }
        #expect(stored.allSatisfy { $0 == 1 }, "\(stored.filter { $0 != 1 }.count) buckets miscounted")
    }

    @Test("a failed fold drops its hits (they may have arrived) and the bucket is read before more are admitted")
    func failedFoldDropsHits() throws {
        let store = InMemoryStore()
        let counters = LocalRateCounters(policy: .init(foldIntervalMicroseconds: 3_600_000_000, capacity: 100))
        let limit = 64  // a threshold of 2
        for _ in 0..<2 { #expect(try hit(counters, "client", limit: limit, store: store)) }
        store.available = false
        counters.fold(into: store, now: Self.window)
        store.available = true
        let (rateBucket, id) = bucket("client", limit: limit)
        #expect(counters.unfoldedHits(of: id) == 0, "the failed fold's hits are not kept to be sent again")
        #expect(counters.admit(rateBucket, id: id, now: Self.window) == .needsRead)
        // Another process counted the rest meanwhile: the read finds the bucket full.
        store.counters["\(rateBucket.name)@\(Self.window)"] = limit
        #expect(try !hit(counters, "client", limit: limit, store: store))
    }

    @Test("a read taken while another fold is in flight does not count that fold's hits as seen")
    func readBesideAFoldInFlight() {
        let limit = 300
        let threshold = LocalRateCounters.threshold(forLimit: limit)
        let (rateBucket, id) = bucket("client", limit: limit)
        var table = CounterTable(capacity: 100)
        for _ in 0..<threshold {
            #expect(table.admit(rateBucket, id: id, threshold: threshold, now: Self.window) == .admitted)
        }
        // A timed fold takes the hits; its statement has not run yet.
        let timed = table.takePending().map { PendingFold(taken: $0) }
        #expect(table.admit(rateBucket, id: id, threshold: threshold, now: Self.window) == .needsRead)
        // The next hit's own read (no hits of its own) runs first and finds none of them.
        let read = table.take(id).map { PendingFold(taken: $0) }
        table.settle(read, totals: [CounterTotal(bucket: rateBucket.name, windowStart: Self.window, hits: 0)])
        #expect(table.admit(rateBucket, id: id, threshold: threshold, now: Self.window) == .needsRead,
                "the timed fold's hits are still out of other processes' sight")
        // Once the timed fold's answer is in, they are seen.
        table.settle(timed, totals: [CounterTotal(bucket: rateBucket.name, windowStart: Self.window, hits: threshold)])
        #expect(table.admit(rateBucket, id: id, threshold: threshold, now: Self.window) == .admitted)
    }

    @Test("a bucket at its threshold reads its total alone, in a fold of one row")
    func thresholdFoldsOneBucket() throws {
        let store = InMemoryStore()
        let counters = LocalRateCounters(policy: .init(foldIntervalMicroseconds: 3_600_000_000, capacity: 100))
        #expect(try hit(counters, "other", limit: 300, store: store))
        for _ in 0..<10 { #expect(try hit(counters, "client", limit: 300, store: store)) }
        #expect(total("client", in: store) == 9, "the 10th hit folded the 9 before it")
        #expect(total("other", in: store) == 0, "other buckets wait for the timed fold")
    }
}
