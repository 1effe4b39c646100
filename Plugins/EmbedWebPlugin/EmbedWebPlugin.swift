import Foundation
import PackagePlugin

/// Embeds the sender page in the SealDrop library at build time: every file of
/// `Web/` plus tweetnacl's `nacl.min.js`, taken from Debian's `node-tweetnacl`
/// (installed, or unpacked into `.deps/` by `make deps`) and never kept in the
/// repository. The `EmbedWeb` tool turns them into one generated Swift file, so the
/// single binary serves the page with nothing beside it.
@main
struct EmbedWebPlugin: BuildToolPlugin {
    /// Where `nacl.min.js` is looked for, first found wins: the installed package,
    /// then the copy `make deps` unpacks (scripts/tweetnacl.sh).
    static func tweetnaclCandidates(package: URL) -> [URL] {
        [URL(fileURLWithPath: "/usr/share/nodejs/tweetnacl/nacl.min.js"),
         package.appendingPathComponent(".deps/node-tweetnacl/usr/share/nodejs/tweetnacl/nacl.min.js")]
    }

    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let package = context.package.directoryURL
        let web = package.appendingPathComponent("Web")
        let names = try FileManager.default.contentsOfDirectory(atPath: web.path)
            .filter { !$0.hasPrefix(".") }
            .sorted()
        let pageFiles = names.map { web.appendingPathComponent($0) }
        let candidates = Self.tweetnaclCandidates(package: package)
        guard let nacl = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0.path) }) else {
            throw MissingTweetNaCl(candidates: candidates)
        }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedWeb.swift")
        return [
            .buildCommand(
                displayName: "Embedding the sender page (Web/ and \(nacl.path))",
                executable: try context.tool(named: "EmbedWeb").url,
                arguments: [output.path] + (pageFiles + [nacl]).map(\.path),
                inputFiles: pageFiles + [nacl],
                outputFiles: [output]),
        ]
    }
}

/// The one sentence a build without tweetnacl fails with.
struct MissingTweetNaCl: Error, CustomStringConvertible {
    let candidates: [URL]

    var description: String {
        "tweetnacl is missing: the sender page embeds nacl.min.js from Debian's node-tweetnacl, "
            + "looked for at \(candidates.map(\.path).joined(separator: " and ")). "
            + "Run `make deps` (unpacks the package into .deps/) or `apt-get install node-tweetnacl`."
    }
}
