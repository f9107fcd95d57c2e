import Testing

@testable import Syslog

/// RFC 5424 §6.3 STRUCTURED-DATA: escapes, element and parameter order, the SD-NAME limits.
@Suite struct StructuredDataTests {
    func structuredData(_ sd: String) -> [StructuredElement]? {
        parse("<13>1 - - - - - \(sd) msg")?.structuredData
    }

    @Test func escapesAreUnescaped() {
        #expect(structuredData(#"[id a="q\"uote" b="back\\slash" c="br\]acket" d="\\\"\]"]"#)
            == [element("id", ["a": "q\"uote", "b": "back\\slash", "c": "br]acket", "d": "\\\"]"])])
    }

    @Test func otherBackslashesStay() {
        #expect(structuredData(#"[id path="C:\temp\n" end="\""]"#) == [element("id", ["path": "C:\\temp\\n", "end": "\""])])
    }

    @Test func valueEndingInEscapedBackslash() {
        #expect(structuredData(#"[id a="x\\" b="y"]"#) == [element("id", ["a": "x\\", "b": "y"])])
    }

    @Test func unescapedBracketInsideQuotesIsAccepted() {
        #expect(structuredData(#"[id a="x]y"]"#) == [element("id", ["a": "x]y"])])
    }

    @Test func orderOfElementsAndParametersIsKept() {
        #expect(structuredData(#"[b@1 z="1" a="2" z="3"][a@1][b@1 y="4"]"#) == [
            element("b@1", ["z": "1", "a": "2", "z": "3"]), element("a@1"), element("b@1", ["y": "4"]),
        ])
    }

    @Test func emptyAndUnicodeValues() {
        #expect(structuredData(#"[id empty="" uni="grüße ✓" spaced=" a b "]"#)
            == [element("id", ["empty": "", "uni": "grüße ✓", "spaced": " a b "])])
    }

    @Test func invalidUTF8InValueBecomesReplacementCharacter() {
        let frame = Array("<13>1 - - - - - [id a=\"".utf8) + [0xC0, 0xFF] + Array("\"] m".utf8)
        #expect(parse(bytes: frame)?.structuredData == [element("id", ["a": "\u{FFFD}\u{FFFD}"])])
    }

    @Test func namesOf32CharactersAreAccepted() {
        let name = String(repeating: "n", count: 32)
        #expect(structuredData("[\(name) \(name)=\"v\"]") == [element(name, [name: "v"])])
    }

    /// Broken structured data makes the header invalid 5424: §4.3.2 repair of everything after the PRI.
    @Test(arguments: [
        #"[]"#,
        #"[id"#,
        #"[id a="b""#,
        #"[id a="b]"#,
        #"[id a=b]"#,
        #"[id a]"#,
        #"[id a=]"#,
        #"[id ="b"]"#,
        #"[id a="b" ]"#,
        #"[id  a="b"]"#,
        #"[id a ="b"]"#,
        #"[id a= "b"]"#,
        #"[i"d a="b"]"#,
        #"[id a"b="c"]"#,
        #"[id=x]"#,
        "[\(String(repeating: "n", count: 33))]",
        "[id \(String(repeating: "n", count: 33))=\"v\"]",
        "[idé a=\"b\"]",
        #"[id a="b"]-"#,
        #"-[id a="b"]"#,
    ])
    func brokenStructuredDataIsRepaired(sd: String) {
        let afterPRI = "1 - - - - - \(sd) msg"
        #expect(parse("<13>" + afterPRI) == entry(1, 5, message: afterPRI, repaired: true))
    }
}

extension StructuredDataTests {
    @Test func bracketAfterTheSeparatingSpaceBelongsToTheMessage() {
        let parsed = parse(#"<13>1 - - - - - [id a="b"] [id2] msg"#)
        #expect(parsed?.structuredData == [element("id", ["a": "b"])])
        #expect(parsed?.message == "[id2] msg")
    }
}
