internal import CSodium

/// Secret bytes (a secret key, a seed) kept out of Swift's copy-on-write arrays,
/// so that exactly one copy exists and it is wiped when no longer referenced.
///
/// - The bytes live in one allocation owned by this object and are overwritten
///   with `sodium_memzero` in `deinit` (a zeroing the optimiser may not remove).
/// - `==` compares in constant time (`sodium_memcmp`) after a length check.
/// - `description` never shows the content.
///
/// Sendable: the bytes are written only while the initializer runs and are
/// read-only afterwards (``withUnsafeBytes(_:)`` hands out an immutable view), so
/// sharing one instance between threads cannot race.
public final class SecretBytes: @unchecked Sendable {
    /// At least one byte, so that every view has a real base address.
    private let storage: UnsafeMutableRawBufferPointer

    /// Number of secret bytes.
    public let count: Int

    /// Allocates `count` zeroed bytes and lets `initializer` write them.
    ///
    /// If `initializer` throws, the partly written bytes are wiped and freed
    /// before the error is passed on.
    public init<E: Error>(
        count: Int, initializingWith initializer: (UnsafeMutableRawBufferPointer) throws(E) -> Void
    ) throws(E) {
        precondition(count >= 0, "SecretBytes: negative count")
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        do {
            try initializer(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]))
        } catch {
            Self.wipe(buffer)
            buffer.deallocate()
            throw error
        }
        storage = buffer
        self.count = count
    }

    /// `count` bytes from libsodium's random generator (`randombytes_buf`).
    public convenience init(randomCount count: Int) {
        self.init(count: count) { RandomBytes.fill($0) }
    }

    /// A copy of `bytes`. The caller's array is not (and cannot be) wiped; prefer
    /// producing secrets directly into a `SecretBytes` where possible.
    public convenience init(copying bytes: [UInt8]) {
        self.init(count: bytes.count) { buffer in
            buffer.copyBytes(from: bytes)
        }
    }

    deinit {
        Self.wipe(storage)
        storage.deallocate()
    }

    /// Calls `body` with a read-only view of the bytes. The view must not escape
    /// `body`, and must not be written through.
    public func withUnsafeBytes<R, E: Error>(
        _ body: (UnsafeRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        try body(bytes)
    }

    private var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage.baseAddress, count: count)
    }

    /// Pointer for libsodium calls inside this module; valid while `self` lives.
    var unsafePointer: UnsafePointer<UInt8> {
        UnsafePointer(storage.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }

    private static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress else { return }
        SodiumLibrary.initialize()
        sodium_memzero(base, buffer.count)
    }
}

extension SecretBytes: Equatable {
    /// Constant-time comparison (`sodium_memcmp`); `false` when the lengths differ.
    public static func == (lhs: SecretBytes, rhs: SecretBytes) -> Bool {
        ConstantTime.equal(lhs.bytes, rhs.bytes)
    }
}

extension SecretBytes: CustomStringConvertible, CustomDebugStringConvertible {
    /// Only the length: secret content never reaches logs or error messages.
    public var description: String { "SecretBytes(\(count) bytes, redacted)" }
    public var debugDescription: String { description }
}
