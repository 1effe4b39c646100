import MariaDB
import Testing

@Suite struct DateTimeTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01 00:00:00"), (951_782_400, "2000-02-29 00:00:00"), (-1, "1969-12-31 23:59:59"),
        (1_700_000_000, "2023-11-14 22:13:20"), (2_147_483_647, "2038-01-19 03:14:07"),
        (253_402_300_799, "9999-12-31 23:59:59"), (-62_135_596_800, "0001-01-01 00:00:00"),
    ])
    func unixTimeConversions(seconds: Int64, text: String) {
        let value = DateTime(secondsSince1970: seconds)
        #expect(value.description == text)
        #expect(value.secondsSince1970 == seconds)
    }

    @Test func conversionsRoundTripEveryFewDays() {
        for seconds in stride(from: Int64(-4_000_000_000), through: 8_000_000_000, by: 345_678) {
            #expect(DateTime(secondsSince1970: seconds).secondsSince1970 == seconds)
        }
    }

    @Test func timestampRoundTripsInUTC() throws {
        let connection = try testConnection()
        try connection.execute("CREATE TEMPORARY TABLE t (id INT, ts TIMESTAMP NULL, ts6 TIMESTAMP(6) NULL, dt DATETIME, d DATE)")
        let moment = DateTime(secondsSince1970: 1_700_000_000)
        let precise = DateTime(secondsSince1970: 1_700_000_001, microsecond: 123_456)
        let civil = DateTime(year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 58)
        try connection.run("INSERT INTO t VALUES (1, ?, ?, ?, ?)", [.dateTime(moment), .dateTime(precise), .dateTime(civil), .dateTime(civil)])
        let row = try single(
            connection.query(
                "SELECT ts, ts6, dt, d, UNIX_TIMESTAMP(ts), UNIX_TIMESTAMP(ts6), ts = FROM_UNIXTIME(?) FROM t",
                [1_700_000_000]
            )
        )
        #expect(row["ts"] == .dateTime(moment))
        #expect(row["ts6"] == .dateTime(precise))
        #expect(row["dt"] == .dateTime(civil))
        #expect(row["d"] == .dateTime(DateTime(year: 2024, month: 2, day: 29)))
        // The server agrees the stored instant is that Unix time: the session is UTC.
        #expect(row[4].int64 == 1_700_000_000)
        #expect(row[5] == .text("1700000001.123456"))
        #expect(row[6].bool == true)
        #expect(row["ts"].dateTime?.secondsSince1970 == 1_700_000_000)
    }

    @Test func serverClockReadsAsUTC() throws {
        let connection = try testConnection()
        let row = try single(connection.query("SELECT UTC_TIMESTAMP(), UNIX_TIMESTAMP()"))
        let server = try #require(row[0].dateTime)
        let unix = try #require(row[1].int64)
        #expect(abs(server.secondsSince1970 - unix) <= 1)
    }
}
