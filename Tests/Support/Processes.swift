import Foundation

/// The state letter and parent of a process, from /proc/PID/stat; nil when it is gone.
private func stateAndParent(of pid: pid_t) -> (state: Substring, parent: pid_t)? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.range(of: ") ", options: .backwards) else { return nil }
    // After the command name: state, parent pid, …
    let fields = stat[close.upperBound...].split(separator: " ")
    guard fields.count > 2, let parent = pid_t(fields[1]) else { return nil }
    return (fields[0], parent)
}

/// True while the process exists and is not a zombie waiting to be reaped.
public func isRunning(_ pid: pid_t) -> Bool {
    guard let process = stateAndParent(of: pid) else { return false }
    return process.state != "Z"
}

/// The running processes whose parent is `pid` (e.g. a supervisor's workers), in order.
public func childProcesses(of pid: pid_t) -> [pid_t] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> pid_t? in
        guard let child = pid_t(entry), let process = stateAndParent(of: child),
              process.parent == pid, process.state != "Z" else { return nil }
        return child
    }.sorted()
}

/// VmRSS of a process, in KiB.
public func residentKiB(of pid: pid_t) throws -> Int {
    let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    else { throw StackError("no VmRSS for \(pid)") }
    return kib
}
