extension Connection {
    /// Runs `body` in a transaction: `START TRANSACTION`, then `COMMIT` if `body`
    /// returns, or `ROLLBACK` if `body` throws (the error is then rethrown).
    ///
    /// Transactions do not nest: calling this inside `body` throws. If `COMMIT` fails
    /// (e.g. ``MariaDBError/Code/deadlock``), a `ROLLBACK` is attempted and the commit error
    /// thrown; ``MariaDBError/isTransactionRetryable`` tells whether running the whole
    /// transaction again may succeed.
    ///
    /// - Throws: `MariaDBError` from the transaction statements, or what `body` throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        guard !isInTransaction else {
            throw MariaDBError(
                code: .unknownClientError,
                message: "transaction() was called inside a transaction"
            )
        }
        try execute("START TRANSACTION")
        isInTransaction = true
        defer { isInTransaction = false }
        let value: T
        do {
            value = try body()
        } catch {
            rollbackIgnoringErrors()
            throw error
        }
        do {
            try execute("COMMIT")
        } catch {
            rollbackIgnoringErrors()
            throw error
        }
        return value
    }

    /// A failed ROLLBACK has nothing to add to the error being thrown: if the
    /// connection is lost, the server rolls back anyway and `execute` marks it broken.
    private func rollbackIgnoringErrors() {
        guard !isBroken else { return }
        _ = try? execute("ROLLBACK")
    }
}
