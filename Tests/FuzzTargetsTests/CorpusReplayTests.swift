import Foundation
import FuzzTargets
import Testing

/// The committed seed corpus and every saved fuzz finding go through their targets on each test run:
/// a finding that comes back fails here.
@Suite struct CorpusReplayTests {
    static let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz").path

    @Test(arguments: FuzzTarget.all.map(\.name))
    func corpusAndRegressionsKeepTheirInvariants(targetName: String) throws {
        let target = try #require(FuzzTarget.named(targetName))
        let folders = ["corpus", "regressions"].map { "\(Self.fuzzFolder)/\($0)/\(targetName)" }
            .filter { FileManager.default.fileExists(atPath: $0) }
        let report = try CorpusReplay.run(target, paths: folders)
        #expect(report.inputs > 0, "no committed inputs for \(targetName)")
        for failure in report.failures { Issue.record("\(failure.path): \(failure.broken)") }
    }
}
