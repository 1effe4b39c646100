extension MariaDBError {
    /// Replaces the value quoted by server messages that echo data (which may be a
    /// token or a ciphertext) with `…`, keeping key and column names.
    ///
    /// The server does not escape quotes inside the value, so the value is taken as
    /// everything from the first `'` up to the last occurrence of the text that follows
    /// it in that message's format. When that text is missing (a format changed), all
    /// of the message after the first quote is dropped: redacting too much is safe.
    static func redactingValues(in message: String, code: Code) -> String {
        guard let end = ValueEnd(code: code), let open = message.firstIndex(of: "'") else {
            return message
        }
        let rest = message[message.index(after: open)...]
        let closing: String.Index?
        switch end {
        case .before(let text): closing = rest.ranges(of: text).last?.lowerBound
        case .lastQuote: closing = rest.lastIndex(of: "'")
        }
        guard let closing else { return message[..<open] + "'…'" }
        return message[..<open] + "'…" + message[closing...]
    }

    /// Where the quoted value ends in the message format of a server error.
    private enum ValueEnd {
        /// The value's closing quote starts this text.
        case before(String)
        /// The value is the last quoted item of the message.
        case lastQuote

        /// Nil for codes whose message quotes no value.
        init?(code: Code) {
            switch code {
            case .duplicateEntry, .duplicateEntryWithKeyName:
                self = .before("' for key ")  // Duplicate entry '%s' for key '%s'
            case .wrongValueForColumn:  // Incorrect %s value: '%s' for column ...
                self = .before("' for column ")
            case .wrongValueForFunction:  // Incorrect %s value: '%s' for function %s
                self = .before("' for function ")
            case .illegalValueForType:  // Illegal %s '%s' value found during parsing
                self = .before("' value found")
            case .truncatedWrongValue, .invalidCharacterString, .wrongValue:  // the value is the last quoted item
                self = .lastQuote
            default:
                return nil
            }
        }
    }
}
