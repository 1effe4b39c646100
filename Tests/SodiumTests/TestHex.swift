/// Hex helpers for test vectors, in plain Swift so that checking libsodium's
/// output does not depend on libsodium.
enum TestHex {
    /// Bytes of a hex string; crashes the test on malformed input (vectors are constants).
    static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        precondition(digits.count % 2 == 0, "odd-length hex vector")
        return stride(from: 0, to: digits.count, by: 2).map { index in
            UInt8(value(digits[index]) << 4 | value(digits[index + 1]))
        }
    }

    /// Lowercase hex of `bytes`.
    static func string(_ bytes: [UInt8]) -> String {
        let alphabet = Array("0123456789abcdef")
        return String(bytes.flatMap { [alphabet[Int($0 >> 4)], alphabet[Int($0 & 0x0F)]] })
    }

    private static func value(_ digit: UInt8) -> UInt8 {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: preconditionFailure("bad hex digit in test vector")
        }
    }
}

/// A copy of `bytes` with one bit flipped.
func flippingBit(_ bit: Int, of bytes: [UInt8]) -> [UInt8] {
    var copy = bytes
    copy[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
    return copy
}
