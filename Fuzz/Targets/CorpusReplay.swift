import Foundation

/// Runs saved inputs (files, or folders of files) through a target: the committed corpus and
/// regressions in the tests, a crash file when reproducing one.
public enum CorpusReplay {
    /// What a replay found.
    public struct Report: Sendable {
        public var inputs = 0
        public var failures: [(path: String, broken: String)] = []
    }

    /// Thrown by the replayer's command line when inputs broke an invariant.
    public struct Failure: Error {
        public var count: Int
        public init(count: Int) { self.count = count }
    }

    public static func run(_ target: FuzzTarget, paths: [String]) throws -> Report {
        var report = Report()
        for path in try files(at: paths) {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            report.inputs += 1
            if let broken = target.check(bytes) { report.failures.append((path, broken)) }
        }
        return report
    }

    /// The files named, and the files directly inside the folders named, sorted; a missing path is an error.
    public static func files(at paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
            }
            if isFolder.boolValue {
                files += try FileManager.default.contentsOfDirectory(atPath: path)
                    .filter { !$0.hasPrefix(".") }.sorted().map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        return files
    }
}
