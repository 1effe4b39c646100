internal import CSodium

/// Anonymous public-key encryption (`crypto_box_seal`): what SealDrop's senders
/// produce and what it stores without being able to read.
///
/// A sealed box is an ephemeral X25519 public key (32 bytes) followed by the
/// XSalsa20-Poly1305 ciphertext with its 16-byte tag, so it is always exactly
/// ``overhead`` bytes longer than the message.
public enum SealedBox {
    /// Bytes a sealed box adds to its message (`crypto_box_SEALBYTES`, 48).
    public static let overhead = crypto_box_sealbytes()

    /// Encrypts `message` to `recipient` with a fresh ephemeral key (`crypto_box_seal`).
    public static func seal(_ message: [UInt8], to recipient: X25519PublicKey) -> [UInt8] {
        SodiumLibrary.initialize()
        let count = message.count + overhead
        var status: Int32 = -1
        let box = [UInt8](unsafeUninitializedCapacity: count) { buffer, initializedCount in
            status = crypto_box_seal(buffer.baseAddress!, message, UInt64(message.count), recipient.bytes)
            initializedCount = count
        }
        // crypto_box_seal fails only for a small-order recipient key, which
        // X25519PublicKey refuses to hold.
        precondition(status == 0, "crypto_box_seal failed for a validated public key")
        return box
    }

    /// Decrypts a sealed box addressed to `keyPair` (`crypto_box_seal_open`).
    /// - Returns: the message, or `nil` when `box` is shorter than ``overhead``,
    ///   was sealed to another key, or was altered in any byte.
    public static func open(_ box: [UInt8], with keyPair: BoxKeyPair) -> [UInt8]? {
        guard box.count >= overhead else { return nil }
        SodiumLibrary.initialize()
        let count = box.count - overhead
        var status: Int32 = -1
        // One spare byte keeps the output pointer real for an empty message.
        let message = [UInt8](unsafeUninitializedCapacity: count + 1) { buffer, initializedCount in
            status = crypto_box_seal_open(
                buffer.baseAddress!, box, UInt64(box.count),
                keyPair.publicKey.bytes, keyPair.secretKey.unsafePointer)
            initializedCount = status == 0 ? count : 0
        }
        return status == 0 ? message : nil
    }
}
