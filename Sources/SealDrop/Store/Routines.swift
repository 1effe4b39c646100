import MariaDB

/// Stored procedures that make a hot path one round trip instead of several.
/// They are an accelerator, not part of the schema's meaning: the store does the
/// same work in separate statements when a procedure is missing, so a host that
/// forbids `CREATE ROUTINE` still runs SealDrop (`sealdrop migrate` says so).
/// `sealdrop migrate` (re)creates them every time, so their latest text is always in place.
enum Routines {
    struct Routine {
        let name: String
        /// A whole `CREATE OR REPLACE PROCEDURE` statement.
        let definition: String
    }

    static let all: [Routine] = [send]

    /// `/send`: the mailbox and send-rate check on the link's row, and the insert,
    /// in one transaction and one round trip; see `MariaDBStore.insertMessage`.
    /// Answers one row: the new message's id, or 0 when nothing was stored (the
    /// store then asks why, as after the statements of the other path).
    static let send = Routine(name: "sealdrop_send", definition: """
        CREATE OR REPLACE PROCEDURE sealdrop_send(
            IN p_link VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
            IN p_message LONGTEXT CHARACTER SET utf8mb4,
            IN p_metadata LONGTEXT CHARACTER SET utf8mb4,
            IN p_size INT UNSIGNED,
            IN p_max_messages INT UNSIGNED,
            IN p_max_bytes BIGINT UNSIGNED,
            IN p_sends_limit INT UNSIGNED,
            IN p_sends_rate DOUBLE)
            MODIFIES SQL DATA
            SQL SECURITY INVOKER
            COMMENT 'SealDrop: POST /send in one round trip (MariaDBStore+Messages.swift)'
        BEGIN
            DECLARE v_id BIGINT DEFAULT 0;
            DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
            START TRANSACTION;
            \(MailboxSQL.reserve(link: .name("p_link"), size: .name("p_size"), maxMessages: .name("p_max_messages"),
                                 maxBytes: .name("p_max_bytes"), sendsLimit: .name("p_sends_limit"),
                                 sendsRate: .name("p_sends_rate")).text);
            IF ROW_COUNT() = 1 THEN
                INSERT INTO messages (link_token, encrypted_message, metadata, size)
                VALUES (p_link, p_message, p_metadata, p_size);
                SET v_id = LAST_INSERT_ID();
                COMMIT;
            ELSE
                ROLLBACK;
            END IF;
            SELECT v_id;
        END
        """)
}

/// The mailbox statements both send paths share, with their operands given by
/// the caller: values bound to a prepared statement, or a procedure's parameters.
enum MailboxSQL {
    /// Counts a message against the link's mailbox caps and send rate; changes
    /// one row, or none when a cap is reached or the link does not exist.
    ///
    /// The send rate is a leaky bucket on the link's row: `recent_sends` goes up by
    /// one per send and drains continuously at `sendsRate` per second, so a link
    /// takes a burst of `sendsLimit` and then one per window/limit seconds, with no
    /// window edge at which twice the limit gets through. Its clock is the
    /// database's, which every host shares. MariaDB assigns left to right, so
    /// `recent_sends` drains from the old `recent_sends_at`.
    static func reserve(link: BoundSQL.Operand, size: BoundSQL.Operand, maxMessages: BoundSQL.Operand,
                        maxBytes: BoundSQL.Operand, sendsLimit: BoundSQL.Operand,
                        sendsRate: BoundSQL.Operand) -> BoundSQL {
        """
        UPDATE clients SET
              unseen_messages = unseen_messages + 1,
              unseen_bytes = unseen_bytes + \(size),
              recent_sends = IF(\(sendsLimit) = 0, 0,
                                GREATEST(0, recent_sends - (UNIX_TIMESTAMP(NOW(6)) - recent_sends_at) * \(sendsRate)) + 1),
              recent_sends_at = UNIX_TIMESTAMP(NOW(6))
            WHERE link_token = \(link)
              AND unseen_messages < \(maxMessages) AND unseen_bytes + \(size) <= \(maxBytes)
              AND (\(sendsLimit) = 0
                   OR GREATEST(0, recent_sends - (UNIX_TIMESTAMP(NOW(6)) - recent_sends_at) * \(sendsRate)) + 1 <= \(sendsLimit))
        """
    }
}

/// Whether one of ``Routines`` can be called on a store's connection. When the
/// server says it is missing or not ours to run, the store does the work in
/// separate statements, and asks again a minute later (the procedure may have
/// been between `CREATE OR REPLACE`'s drop and create, or granted since).
struct RoutineAvailability {
    private static let retryMicroseconds: Int64 = 60_000_000
    private var missingSince: Int64?

    var isAvailable: Bool {
        mutating get {
            guard let since = missingSince else { return true }
            if monotonicMicroseconds() - since < Self.retryMicroseconds { return false }
            missingSince = nil
            return true
        }
    }

    mutating func markMissing() { missingSince = monotonicMicroseconds() }

    /// The procedure does not exist; or this user may not execute it; or it takes
    /// other arguments (an older version, left by a `migrate` the database would
    /// not let replace it).
    static func isMissing(_ error: MariaDBError) -> Bool {
        switch error.code {
        case .routineDoesNotExist, .routineAccessDenied, .routineArgumentCount: true
        default: false
        }
    }
}
