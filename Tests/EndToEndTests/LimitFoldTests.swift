import Foundation
import Glibc
import Sodium
import Testing
import TestSupport

/// Issue 13: flood-limit counts are decided in each process and folded into the
/// database about once a second. These run the real thing — several responder
/// processes behind nginx on one MariaDB — and check the stated bound (a client
/// gets at most `limit + (N - 1) × threshold` requests through, threshold = limit / 32),
/// that counts reach the database from processes that went quiet, were stopped or
/// were killed, and that a flood of distinct addresses keeps each worker small.
@Suite("Flood-limit counts folded per process", .serialized)
struct LimitFoldTests {
    /// Limits of 256 a window: a threshold of 8.
    static let limit = 256
    static let threshold = 8

    @Test("the overshoot bound holds across 4 processes; quiet processes fold; CGI writes through")
    func boundAcrossProcesses() throws {
        let processes = 4
        try PrivateStack.with(name: "e2e-fold-bound", settings: [
            "SEALDROP_PROCESSES": String(processes), "SEALDROP_THREADS": "2",
            "SEALDROP_ADDRESS_REQUESTS_PER_MINUTE": String(Self.limit), "SEALDROP_ADDRESS_WINDOW_SECONDS": "86400",
            "SEALDROP_TRUSTED_PROXIES": "127.0.0.1",
        ]) { stack in
            try Self.awayFromWindowEnd(windowSeconds: 86400)
            let link = try Self.registerLink(on: stack, from: "192.0.2.1")
            let address = "203.0.113.9"
            let http = try HTTPClient(baseURL: stack.baseURL)
            let load = BackgroundLoad(connections: 32) { _, _ in
                let response = try http.get("/l/\(link)", headers: [("X-Forwarded-For", address)])
                return (response.status, "")
            }
            try waitUntil("900 requests answered", timeout: 120) { load.recorded.count >= 900 }
            let outcomes = load.stop()
            let admitted = outcomes.filter { $0.status == 200 }.count
            let refused = outcomes.filter { $0.status == 429 }.count
            let bound = Self.limit + (processes - 1) * Self.threshold
            print("limit fold: \(admitted) of \(outcomes.count) admitted over \(processes) processes "
                  + "(limit \(Self.limit), bound \(bound)), \(refused) refused")
            #expect(admitted + refused == outcomes.count, "only 200 and 429 expected")
            #expect(admitted >= Self.limit, "the limit itself is reached")
            #expect(admitted <= bound, "\(admitted) admitted, more than the bound \(bound)")

            // Every admitted hit reaches the database. (Hits a process had to write
            // through while its total was being read count even when refused, as
            // every hit did before folding, so the total may be higher.)
            let bucket = try Self.bucket(on: stack, scope: "address", key: address)
            var total = 0
            try waitUntil("every admitted hit is in the database", timeout: 15) {
                total = try Self.hits(on: stack, bucket: bucket)
                return total >= admitted
            }
            print("limit fold: the database counts \(total) hits for \(admitted) admitted")

            // Five hits from another address, fewer than a threshold: no request
            // after them, so only the processes' own timers can fold them.
            let quiet = "203.0.113.11"
            for _ in 0..<5 { #expect(try http.get("/l/\(link)", headers: [("X-Forwarded-For", quiet)]).status == 200) }
            let quietBucket = try Self.bucket(on: stack, scope: "address", key: quiet)
            try waitUntil("quiet processes fold their hits", timeout: 15) {
                try Self.hits(on: stack, bucket: quietBucket) == 5
            }

            // A CGI run of the same binary writes through: over the limit for this
            // address, and a new address's hit is in the database as soon as it exits.
            #expect(try Self.cgi(on: stack, link: link, from: address).contains("Status: 429"))
            let other = "203.0.113.10"
            #expect(try Self.cgi(on: stack, link: link, from: other).contains("Status: 200"))
            #expect(try Self.hits(on: stack, bucket: Self.bucket(on: stack, scope: "address", key: other)) == 1)

            // 20,000 addresses of their own, folded as they come (about once a second,
            // thousands of buckets a fold): every worker stays small.
            let master = try stack.responderPID()
            let flood = try Self.distinctAddressFlood(20_000, link: link, http: http)
            #expect(flood.allSatisfy { $0.status == 200 }, "\(flood.filter { $0.status != 200 }.count) not 200")
            for pid in childProcesses(of: master) {
                let rss = try residentKiB(of: pid)
                print("limit fold: worker \(pid) resident \(rss) KiB after 20,000 distinct addresses folded as they came")
                #expect(rss <= 20 * 1024, "worker \(pid) has \(rss) KiB resident")
            }
        }
    }

    @Test("a killed worker loses fewer than the threshold; a stopped one loses nothing; RSS stays small under distinct addresses")
    func countsSurviveAndMemoryIsBounded() throws {
        try PrivateStack.with(name: "e2e-fold-memory", settings: [
            "SEALDROP_PROCESSES": "2", "SEALDROP_THREADS": "2",
            "SEALDROP_ADDRESS_REQUESTS_PER_MINUTE": String(Self.limit), "SEALDROP_ADDRESS_WINDOW_SECONDS": "86400",
            "SEALDROP_TRUSTED_PROXIES": "127.0.0.1",
            // A minute between timed folds: only the threshold, exit and the table's
            // capacity make counts reach the database while this runs.
            "SEALDROP_LIMIT_FOLD_MILLISECONDS": "60000",
        ]) { stack in
            try Self.awayFromWindowEnd(windowSeconds: 86400)
            let link = try Self.registerLink(on: stack, from: "192.0.2.1")
            let http = try HTTPClient(baseURL: stack.baseURL)
            let master = try stack.responderPID()

            // 100 requests from one address, then both workers killed outright.
            let killed = "198.51.100.7"
            for _ in 0..<100 { #expect(try http.get("/l/\(link)", headers: [("X-Forwarded-For", killed)]).status == 200) }
            let workers = childProcesses(of: master)
            #expect(workers.count == 2)
            for worker in workers { kill(worker, SIGKILL) }
            try waitUntil("both workers replaced", timeout: 30) {
                let now = childProcesses(of: master)
                return now.count == 2 && Set(now).isDisjoint(with: workers)
            }
            let survived = try Self.hits(on: stack, bucket: Self.bucket(on: stack, scope: "address", key: killed))
            print("limit fold: \(survived) of 100 hits reached the database before both workers were killed")
            #expect(survived <= 100)
            #expect(survived >= 100 - workers.count * Self.threshold,
                    "each killed worker may lose at most \(Self.threshold) hits of a bucket; \(100 - survived) lost")

            // 40,000 requests, each from an address of its own: more buckets than a
            // process's table holds (8,192) within one fold interval.
            let distinct = 40_000
            let outcomes = try Self.distinctAddressFlood(distinct, link: link, http: http)
            #expect(outcomes.count == distinct)
            #expect(outcomes.allSatisfy { $0.status == 200 }, "\(outcomes.filter { $0.status != 200 }.count) not 200")
            for pid in childProcesses(of: master) {
                let rss = try residentKiB(of: pid)
                print("limit fold: worker \(pid) resident \(rss) KiB after \(distinct) distinct addresses")
                #expect(rss <= 20 * 1024, "worker \(pid) has \(rss) KiB resident")
            }

            // 100 more from one address, then a graceful stop: every hit is folded.
            let stopped = "198.51.100.8"
            for _ in 0..<100 { #expect(try http.get("/l/\(link)", headers: [("X-Forwarded-For", stopped)]).status == 200) }
            try stack.run("responder-stop")
            #expect(try Self.hits(on: stack, bucket: Self.bucket(on: stack, scope: "address", key: stopped)) == 100)
            let distinctRows = try stack.sql("""
                SELECT COUNT(*), COALESCE(SUM(hits), 0) FROM rate_counters
                WHERE expires_at = FROM_UNIXTIME(window_start + 86400) AND hits = 1
                """).split(separator: "\t").compactMap { Int($0) }
            // Every distinct address has its row of one hit (the registering address too).
            #expect(distinctRows.first ?? 0 >= distinct, "\(distinctRows) rows of one hit; \(distinct) addresses were served")
        }
    }

    // MARK: - helpers

    /// `count` requests for the link, each from an address of its own (10.x.y.z),
    /// 32 at a time.
    private static func distinctAddressFlood(_ count: Int, link: String, http: HTTPClient) throws -> [BackgroundLoad.Outcome] {
        let load = BackgroundLoad(connections: 32) { thread, sequence in
            let index = sequence * 32 + thread
            guard index < count else {
                usleep(10_000)  // this thread's share is done; the others finish theirs
                return (-1, "")
            }
            let address = "10.\(index >> 16 & 255).\(index >> 8 & 255).\(index & 255)"
            return (try http.get("/l/\(link)", headers: [("X-Forwarded-For", address)]).status, "")
        }
        try waitUntil("\(count) distinct addresses served", timeout: 300, interval: 0.5) {
            load.recorded.filter { $0.status != -1 }.count >= count
        }
        return load.stop().filter { $0.status != -1 }
    }

    /// Waits out the end of the fixed window when less than a minute of it is left,
    /// so one test's counts all fall into one window.
    private static func awayFromWindowEnd(windowSeconds: Int) throws {
        let left = windowSeconds - Int(Date().timeIntervalSince1970) % windowSeconds
        guard left < 60 else { return }
        try waitUntil("the next window", timeout: 70, interval: 1) {
            windowSeconds - Int(Date().timeIntervalSince1970) % windowSeconds > 60
        }
    }

    private static func registerLink(on stack: PrivateStack, from address: String) throws -> String {
        let http = try HTTPClient(baseURL: stack.baseURL)
        let registered = try SealDropClient(http: http).expect(
            http.post("/register", json: ["public_key": .string(Base64.encode(SigningKeyPair().publicKey.bytes))],
                      headers: [("X-Forwarded-For", address)]), 201, "register")
        return try #require(registered["link_token"]?.string)
    }

    /// The rate_counters row name of `key` in `scope`, as SealDrop computes it.
    private static func bucket(on stack: PrivateStack, scope: String, key: String) throws -> String {
        let stored = try stack.sql("SELECT value FROM sealdrop_settings WHERE name = 'rate_limit_key'")
        let secret = try #require(Base64.decode(stored))
        return HMACSHA256.hexAuthenticator(for: scope + "\u{0}" + key, key: secret)
    }

    private static func hits(on stack: PrivateStack, bucket: String) throws -> Int {
        Int(try stack.sql("SELECT COALESCE(SUM(hits), 0) FROM rate_counters WHERE bucket = '\(bucket)'")) ?? -1
    }

    private static func cgi(on stack: PrivateStack, link: String, from address: String) throws -> String {
        try runCommand(try TestEnvironment.binary(), [], environment: [
            "SEALDROP_CONFIG": stack.runDirectory + "/sealdrop.env", "REQUEST_METHOD": "GET",
            "DOCUMENT_URI": "/l/\(link)", "REMOTE_ADDR": address, "GATEWAY_INTERFACE": "CGI/1.1",
            "SEALDROP_ADDRESS_REQUESTS_PER_MINUTE": String(limit), "SEALDROP_ADDRESS_WINDOW_SECONDS": "86400",
        ]).output
    }

}
