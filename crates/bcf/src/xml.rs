//! A small element tree over quick-xml events for reading, and escaping for writing.
//!
//! BCF files are shallow, data-only documents, and real ones vary (namespace prefixes, byte
//! order marks, UTF-16, optional elements in any state), so the reader builds a tree of local
//! names, attributes and texts and looks things up leniently instead of binding to a schema.

use crate::BcfError;
use quick_xml::events::{BytesStart, Event};

/// The deepest element nesting accepted. BCF needs about six levels; the limit keeps hostile
/// documents from building trees whose recursive drop could exhaust the stack.
const MAX_DEPTH: usize = 128;

/// One XML element: its local name (namespace prefix dropped), attributes, text and children.
#[derive(Debug, Default, Clone)]
pub(crate) struct Node {
    pub name: String,
    /// Attributes by local name, in document order, values unescaped.
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    /// The first child with this local name, compared case-insensitively.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// Every child with this local name, compared case-insensitively.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name.eq_ignore_ascii_case(name))
    }

    /// The trimmed text of the first child with this name, when it is not empty.
    pub fn text_of(&self, name: &str) -> Option<String> {
        self.child(name).and_then(Node::trimmed)
    }

    /// This element's trimmed text, when it is not empty.
    pub fn trimmed(&self) -> Option<String> {
        let t = self.text.trim();
        (!t.is_empty()).then(|| t.to_string())
    }

    /// The trimmed value of an attribute (local name, compared case-insensitively), when it is
    /// not empty.
    pub fn attr(&self, name: &str) -> Option<String> {
        self.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// Every descendant with this local name, depth first, in document order.
    pub fn descendants<'a>(&'a self, name: &'a str, out: &mut Vec<&'a Node>) {
        for c in &self.children {
            if c.name.eq_ignore_ascii_case(name) {
                out.push(c);
            }
            c.descendants(name, out);
        }
    }
}

/// Decodes a document's bytes to text: UTF-8 with or without a byte order mark, UTF-16 with a
/// byte order mark, and, as a last resort for old exporters, Latin-1.
pub(crate) fn decode(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    let utf16 = |rest: &[u8], little: bool| {
        let units = rest.chunks_exact(2).map(|p| {
            if little {
                u16::from_le_bytes([p[0], p[1]])
            } else {
                u16::from_be_bytes([p[0], p[1]])
            }
        });
        char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect::<String>()
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, false);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

fn local(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

fn attributes(e: &BytesStart<'_>, entry: &str, line: usize) -> Result<Vec<(String, String)>, BcfError> {
    let mut out = Vec::new();
    for a in e.attributes().with_checks(false) {
        let a = a.map_err(|err| BcfError::xml(entry, line, format!("bad attribute: {err}")))?;
        let key = local(a.key.local_name().as_ref());
        // An attribute with an unknown entity keeps its raw text rather than failing the file.
        let value = match a.unescape_value() {
            Ok(v) => v.into_owned(),
            Err(_) => String::from_utf8_lossy(&a.value).into_owned(),
        };
        out.push((key, value));
    }
    Ok(out)
}

/// Parses a whole document and returns its root element. Malformed XML is an error naming the
/// archive entry and the line where the parser stopped.
pub(crate) fn parse(entry: &str, bytes: &[u8]) -> Result<Node, BcfError> {
    let text = decode(bytes);
    // An encoding declaration other than UTF-8 no longer describes the decoded text.
    let mut reader = quick_xml::Reader::from_str(&text);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        let position = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let at = reader.error_position() as usize;
                return Err(BcfError::xml(entry, line_of(&text, at), format!("not well-formed XML: {e}")));
            }
        };
        match event {
            Event::Start(e) => {
                if stack.len() > MAX_DEPTH {
                    return Err(BcfError::xml(
                        entry,
                        line_of(&text, position),
                        format!("elements nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let attrs = attributes(&e, entry, line_of(&text, position))?;
                stack.push(Node { name: local(e.local_name().as_ref()), attrs, ..Default::default() });
            }
            Event::Empty(e) => {
                let attrs = attributes(&e, entry, line_of(&text, position))?;
                let node = Node { name: local(e.local_name().as_ref()), attrs, ..Default::default() };
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(node);
                }
            }
            Event::End(_) => {
                let node = stack.pop();
                match (node, stack.last_mut()) {
                    (Some(node), Some(parent)) => parent.children.push(node),
                    _ => {
                        return Err(BcfError::xml(entry, line_of(&text, position), "unbalanced end tag"));
                    }
                }
            }
            Event::Text(t) => {
                let s = t.decode().map_err(|e| {
                    BcfError::xml(entry, line_of(&text, position), format!("bad text encoding: {e}"))
                })?;
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&s);
                }
            }
            Event::CData(t) => {
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(r) => {
                let name = r.decode().unwrap_or_default().into_owned();
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => quick_xml::escape::resolve_predefined_entity(&name)
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("&{name};")),
                };
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        let open = stack.last().map(|n| n.name.clone()).unwrap_or_default();
        return Err(BcfError::xml(
            entry,
            line_of(&text, text.len()),
            format!("the document ends inside <{open}>"),
        ));
    }
    let mut top = stack.pop().unwrap_or_default();
    match top.children.len() {
        1 => Ok(top.children.pop().unwrap_or_default()),
        0 => Err(BcfError::xml(entry, 1, "the document has no root element")),
        _ => Err(BcfError::xml(entry, 1, "the document has more than one root element")),
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    1 + text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count()
}

/// The text without the characters that XML 1.0 does not allow (control characters other than
/// tab, newline and carriage return, and U+FFFE/U+FFFF).
pub(crate) fn clean(text: &str) -> String {
    text.chars()
        .filter(|&c| matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}'))
        .collect()
}

/// Text made safe for XML element content: cleaned as [`clean`] does, and `&`, `<` and `>`
/// escaped (quotes stay readable). Attribute values written by the crate are GUIDs, colours and
/// fixed names, which need no escaping.
pub(crate) fn esc(text: &str) -> String {
    quick_xml::escape::partial_escape(clean(text).as_str()).into_owned()
}
