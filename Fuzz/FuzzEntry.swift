/// libFuzzer's entry point: the input's requests go through SealDrop's request
/// path (see `FuzzHarness` in Tests/SealDropTests/FuzzRegressionTests.swift); a
/// malformed answer is turned into a crash so libFuzzer keeps the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let problems = FuzzHarness.run(bytes)
    if !problems.isEmpty {
        fatalError("SealDrop answered badly: " + problems.joined(separator: "; "))
    }
    return 0
}
