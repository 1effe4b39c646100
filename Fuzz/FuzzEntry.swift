import Glibc

/// libFuzzer's entry point. `SEALDROP_FUZZ_TARGET=fields` fuzzes the endpoints'
/// field conversions (``FieldFuzzHarness``); otherwise the input's requests go
/// through SealDrop's whole request path (``FuzzHarness``). A malformed answer is
/// turned into a crash so libFuzzer keeps the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let problems = fuzzesFields ? FieldFuzzHarness.run(bytes) : FuzzHarness.run(bytes)
    if !problems.isEmpty {
        fatalError("SealDrop answered badly: " + problems.joined(separator: "; "))
    }
    return 0
}

private let fuzzesFields: Bool = {
    guard let target = getenv("SEALDROP_FUZZ_TARGET") else { return false }
    return String(cString: target) == "fields"
}()
