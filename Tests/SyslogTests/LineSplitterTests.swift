import Testing

@testable import Syslog

/// `warren ship`'s line splitting: line ends, offsets to resume from, over-long lines.
@Suite struct LineSplitterTests {
    private func texts(_ lines: [LineSplitter.Line]) -> [String] {
        lines.map { String(decoding: $0.bytes, as: UTF8.self) }
    }

    @Test func completeLinesAndTheirOffset() {
        var splitter = LineSplitter(maxLineLength: 100, startOffset: 10)
        #expect(texts(splitter.append(Array("one\ntwo\r\nthr".utf8))) == ["one", "two"])
        #expect(splitter.committableOffset == 10 + 9)
        #expect(texts(splitter.append(Array("ee\n".utf8))) == ["three"])
        #expect(splitter.committableOffset == 10 + 9 + 6)
    }

    @Test func emptyLinesAreSkippedButCounted() {
        var splitter = LineSplitter(maxLineLength: 100)
        #expect(texts(splitter.append(Array("\n\r\nx\n\n".utf8))) == ["x"])
        #expect(splitter.committableOffset == 6)
    }

    @Test func bytesArrivingOneAtATime() {
        var splitter = LineSplitter(maxLineLength: 100)
        var lines: [LineSplitter.Line] = []
        for byte in "ab\r\ncd\n".utf8 { lines += splitter.append([byte]) }
        #expect(texts(lines) == ["ab", "cd"])
        #expect(splitter.committableOffset == 7)
    }

    @Test func theUnterminatedRestIsTakenAtTheEnd() {
        var splitter = LineSplitter(maxLineLength: 100)
        _ = splitter.append(Array("a\nrest".utf8))
        #expect(splitter.committableOffset == 2)
        #expect(splitter.finish().map { String(decoding: $0.bytes, as: UTF8.self) } == "rest")
        #expect(splitter.committableOffset == 6)
        #expect(splitter.finish() == nil)
    }

    @Test func anOverLongLineIsTruncatedOnceNeverSplit() {
        var splitter = LineSplitter(maxLineLength: 4)
        var lines = splitter.append(Array("abcdefg".utf8))
        #expect(lines.isEmpty)
        lines += splitter.append(Array("hij\r\nok\n".utf8))
        #expect(lines == [LineSplitter.Line(bytes: Array("abcd".utf8), truncatedBytes: 6),
                          LineSplitter.Line(bytes: Array("ok".utf8), truncatedBytes: 0)])
        #expect(splitter.committableOffset == 15)
    }

    @Test func aLineOfExactlyTheLimitWithCRLFIsComplete() {
        var splitter = LineSplitter(maxLineLength: 4)
        #expect(splitter.append(Array("abcd\r\n".utf8)) == [LineSplitter.Line(bytes: Array("abcd".utf8), truncatedBytes: 0)])
        #expect(splitter.append(Array("abcde\n".utf8)) == [LineSplitter.Line(bytes: Array("abcd".utf8), truncatedBytes: 1)])
    }
}
