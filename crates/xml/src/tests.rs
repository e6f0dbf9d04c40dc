use super::*;
use proptest::prelude::*;

#[test]
fn builds_the_tree_with_local_names_attributes_and_text() {
    let root = parse(
        "<?xml version=\"1.0\"?>\n<p:Markup xmlns:p=\"urn:x\">\n  <Topic p:Guid=\" A1 \" Kind='x'>\n    <Title>  T  </Title>\n    <Labels/>\n  </Topic>\n</p:Markup>\n",
    )
    .expect("parse");
    assert_eq!(root.name, "Markup");
    let topic = root.child("Topic").expect("topic");
    assert_eq!(topic.attributes, vec![("Guid".to_string(), " A1 ".to_string()), ("Kind".into(), "x".into())]);
    assert_eq!(topic.attr_ignore_case("guid"), Some("A1"));
    assert_eq!(topic.text_of("Title"), Some("T"));
    assert_eq!(topic.child("Title").map(|t| t.text.as_str()), Some("  T  "));
    assert_eq!(topic.text_of("Labels"), None);
    assert!(topic.child("Labels").is_some());
}

#[test]
fn exact_and_case_insensitive_lookups() {
    let root = parse("<r><Task>1</Task><task>2</task><TASK><x><Task>3</Task></x></TASK></r>").expect("parse");
    assert_eq!(root.all("Task").count(), 1);
    assert_eq!(root.all_ignore_case("task").count(), 3);
    assert_eq!(root.text_of("task"), Some("2"));
    assert_eq!(root.text_of_ignore_case("TASK"), Some("1"));
    assert!(root.child("Missing").is_none());
    let all: Vec<&str> = root.descendants_ignore_case("task").iter().map(|e| e.text.as_str()).collect();
    assert_eq!(all, ["1", "2", "", "3"]);
}

#[test]
fn records_the_line_of_each_start_tag() {
    let text = "<a>\n  <b/>\n\n  <c\n   x=\"1\">\r\n    <d>t\n</d>\n  </c>\n</a>";
    let root = parse(text).expect("parse");
    assert_eq!(root.line, 1);
    assert_eq!(root.child("b").map(|e| e.line), Some(2));
    let c = root.child("c").expect("c");
    assert_eq!(c.line, 4);
    assert_eq!(c.child("d").map(|e| e.line), Some(6));
    // A declaration and comments before the root count too.
    let root = parse("<?xml version=\"1.0\"?>\n<!-- a\ncomment -->\n<r/>").expect("parse");
    assert_eq!(root.line, 4);
}

#[test]
fn errors_name_the_line() {
    let e = parse("<Project>\n<Tasks>\n<Task><UID>1</UID>\n</Tasks>").expect_err("mismatched");
    assert!(matches!(e, XmlError::Malformed { line: 4, .. }), "{e:?}");
    assert!(e.to_string().starts_with("not well-formed XML: "), "{e}");
    let e = parse("<a>\n<b>\n").expect_err("unclosed");
    assert_eq!(e, XmlError::Unclosed { line: 3, open: "b".into() });
    assert_eq!(e.to_string(), "the document ends inside <b>");
    let e = parse("<a/>\n<b/>").expect_err("two roots");
    assert_eq!(e, XmlError::SeveralRoots { line: 2 });
    assert_eq!(parse("<!-- nothing -->").expect_err("no root"), XmlError::NoRoot { line: 1 });
    assert_eq!(parse("").expect_err("empty"), XmlError::NoRoot { line: 1 });
    let e = parse("<a>\n<b x></b></a>").expect_err("bad attribute");
    assert!(matches!(e, XmlError::Attribute { line: 2, .. }), "{e:?}");
    assert_eq!(e.line(), 2);
}

#[test]
fn resolves_entities_and_cdata() {
    let root = parse(
        "<r a=\"x &amp; &#x41; &bogus;\">a &amp; b &lt;&gt;&quot;&apos; &#65;&#x42; &unknown; <![CDATA[<raw> &amp;]]></r>",
    )
    .expect("parse");
    assert_eq!(root.text, "a & b <>\"' AB &unknown; <raw> &amp;");
    // An attribute with an unknown entity keeps its raw text.
    assert_eq!(root.attr_ignore_case("a"), Some("x &amp; &#x41; &bogus;"));
    let root = parse("<r a=\"x &amp; &#x41;\"/>").expect("parse");
    assert_eq!(root.attr_ignore_case("a"), Some("x & A"));
}

#[test]
fn the_depth_limit_holds_for_start_and_empty_tags() {
    let nested = |depth: usize, leaf: &str| format!("{}{leaf}{}", "<a>".repeat(depth), "</a>".repeat(depth));
    assert!(parse(&nested(MAX_DEPTH, "")).is_ok());
    assert!(parse(&nested(MAX_DEPTH - 1, "<b/>")).is_ok());
    for doc in [nested(MAX_DEPTH + 1, ""), nested(MAX_DEPTH, "<b/>"), nested(100_000, "")] {
        let e = parse(&doc).expect_err("too deep");
        assert_eq!(e, XmlError::TooDeep { line: 1, max_depth: MAX_DEPTH });
        assert_eq!(e.to_string(), format!("elements nested deeper than {MAX_DEPTH} levels"));
    }
}

#[test]
fn decodes_byte_order_marks_utf16_and_latin1() {
    assert_eq!(decode(b"\xEF\xBB\xBF<a/>"), "<a/>");
    let utf16le: Vec<u8> =
        [0xFF, 0xFE].into_iter().chain("<é/>".encode_utf16().flat_map(u16::to_le_bytes)).collect();
    assert_eq!(decode(&utf16le), "<é/>");
    let utf16be: Vec<u8> =
        [0xFE, 0xFF].into_iter().chain("<é/>".encode_utf16().flat_map(u16::to_be_bytes)).collect();
    assert_eq!(decode(&utf16be), "<é/>");
    assert_eq!(decode(b"<a>caf\xE9</a>"), "<a>café</a>");
    assert_eq!(decode("<a>café</a>".as_bytes()), "<a>café</a>");
    assert_eq!(line_of("a\nb\nc", 2), 2);
    assert_eq!(line_of("a\nb", 99), 2);
}

const SAMPLE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Markup xmlns=\"urn:x\">\n<Topic Guid=\"a\" TopicType=\"Clash\">\n<Title>A &amp; B</Title><Labels/>\n<![CDATA[x]]><!-- c --><Description>&#233;</Description>\n</Topic>\n</Markup>\n";

#[test]
fn every_truncation_is_an_error_or_a_tree_never_a_panic() {
    assert!(parse(SAMPLE).is_ok());
    for (cut, _) in SAMPLE.char_indices() {
        let _ = parse(&SAMPLE[..cut]);
    }
    for cut in 0..SAMPLE.len() {
        let _ = parse(&decode(&SAMPLE.as_bytes()[..cut]));
    }
}

proptest! {
    #[test]
    fn arbitrary_markup_never_panics(doc in "[<>/a-c=\"' &#x;!\\[\\]CDAT?\n-]{0,80}") {
        if let Err(e) = parse(&doc) {
            prop_assert!(e.line() >= 1);
            prop_assert!(e.line() <= 1 + doc.matches('\n').count());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
        let _ = parse(&decode(&bytes));
    }

    #[test]
    fn spliced_sample_never_panics(at in 0usize..SAMPLE.len(), junk in "[<>/&;\"a]{1,4}") {
        let mut doc = SAMPLE.to_string();
        if doc.is_char_boundary(at) {
            doc.insert_str(at, &junk);
        }
        let _ = parse(&doc);
    }
}
