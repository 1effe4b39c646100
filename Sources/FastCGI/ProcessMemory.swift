import CFastCGI

/// The worker process's heap, as the allocator holds it.
public enum ProcessMemory {
    /// Hands pages malloc holds free, in every arena, back to the system
    /// (`malloc_trim(0)`): for a worker that now and then allocates a few MiB for
    /// a moment among long-lived storage, which malloc would otherwise keep.
    public static func returnFreedPages() {
        _ = malloc_trim(0)
    }
}
