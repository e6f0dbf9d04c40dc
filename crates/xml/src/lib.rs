//! One XML reader for Plumbline: a whole document read into a small owned element tree.
//!
//! The documents Plumbline reads (BCF markup and viewpoints, MS Project XML, Primavera P6 XML)
//! are shallow, data-only files whose real-world variants differ (namespace prefixes, byte order
//! marks, UTF-16, optional elements in any state), so readers look things up in a tree of local
//! names, attributes and texts instead of binding to a schema.
//!
//! Every [`Element`] records the 1-based line of its start tag, so that callers can report
//! `file:line: message` about the values they find in it. Nesting deeper than [`MAX_DEPTH`] is
//! an error: it keeps hostile documents from building trees whose recursive drop could exhaust
//! the stack. No input makes the reader panic.
//!
//! ```
//! let root = plumbline_xml::parse("<Project>\n  <Title>Hall &amp; annex</Title>\n</Project>")?;
//! assert_eq!(root.text_of("Title"), Some("Hall & annex"));
//! assert_eq!(root.child("Title").map(|t| t.line), Some(2));
//! # Ok::<(), plumbline_xml::XmlError>(())
//! ```

use quick_xml::events::{BytesStart, Event};

/// The deepest element nesting accepted (the root is at depth 1). Real documents need about six
/// levels.
pub const MAX_DEPTH: usize = 128;

/// One XML element: its local name (namespace prefix dropped), attributes, text and children.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    /// Attributes by local name, in document order, values unescaped.
    pub attributes: Vec<(String, String)>,
    /// The element's own text (not its children's), entities and CDATA resolved, untrimmed.
    pub text: String,
    pub children: Vec<Element>,
    /// The 1-based line of the start tag.
    pub line: usize,
}

impl Element {
    /// The first child with exactly this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child with exactly this local name, in document order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the first child with exactly this local name, when it is not empty.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).and_then(Element::trimmed)
    }

    /// The first child with this local name, compared ASCII case-insensitively.
    pub fn child_ignore_case(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// Every child with this local name, compared ASCII case-insensitively, in document order.
    pub fn all_ignore_case<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name.eq_ignore_ascii_case(name))
    }

    /// The trimmed text of the first child with this local name, compared ASCII
    /// case-insensitively, when it is not empty.
    pub fn text_of_ignore_case(&self, name: &str) -> Option<&str> {
        self.child_ignore_case(name).and_then(Element::trimmed)
    }

    /// The trimmed value of the first attribute with this local name, compared ASCII
    /// case-insensitively, when it is not empty.
    pub fn attr_ignore_case(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// Every descendant with this local name, compared ASCII case-insensitively, depth first in
    /// document order. The recursion is as deep as the tree, which [`MAX_DEPTH`] bounds.
    pub fn descendants_ignore_case<'a>(&'a self, name: &str) -> Vec<&'a Element> {
        let mut out = Vec::new();
        self.collect_descendants(name, &mut out);
        out
    }

    fn collect_descendants<'a>(&'a self, name: &str, out: &mut Vec<&'a Element>) {
        for c in &self.children {
            if c.name.eq_ignore_ascii_case(name) {
                out.push(c);
            }
            c.collect_descendants(name, out);
        }
    }

    /// This element's trimmed text, when it is not empty.
    pub fn trimmed(&self) -> Option<&str> {
        let t = self.text.trim();
        (!t.is_empty()).then_some(t)
    }
}

/// Why a document could not be read. Every variant carries the 1-based line where reading
/// stopped ([`XmlError::line`]); the message (`Display`) leaves the line out, so that callers
/// write it after the file name they know: `file: line 4: not well-formed XML: …`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// The parser found the text is not XML (a tag not closed, an end tag that does not match).
    #[error("not well-formed XML: {reason}")]
    Malformed { line: usize, reason: String },
    /// An attribute without a value or without quotes.
    #[error("bad attribute: {reason}")]
    Attribute { line: usize, reason: String },
    /// Text that is not valid in the document's encoding.
    #[error("bad text encoding: {reason}")]
    Encoding { line: usize, reason: String },
    /// Elements nested deeper than [`MAX_DEPTH`].
    #[error("elements nested deeper than {max_depth} levels")]
    TooDeep { line: usize, max_depth: usize },
    /// An end tag with no element open.
    #[error("unbalanced end tag")]
    UnbalancedEnd { line: usize },
    /// The text ends before an element is closed.
    #[error("the document ends inside <{open}>")]
    Unclosed { line: usize, open: String },
    /// No element at all (empty, or only comments and declarations).
    #[error("the document has no root element")]
    NoRoot { line: usize },
    /// A second top-level element; `line` is that element's.
    #[error("the document has more than one root element")]
    SeveralRoots { line: usize },
}

impl XmlError {
    /// The 1-based line where reading stopped.
    pub fn line(&self) -> usize {
        match self {
            XmlError::Malformed { line, .. }
            | XmlError::Attribute { line, .. }
            | XmlError::Encoding { line, .. }
            | XmlError::TooDeep { line, .. }
            | XmlError::UnbalancedEnd { line }
            | XmlError::Unclosed { line, .. }
            | XmlError::NoRoot { line }
            | XmlError::SeveralRoots { line } => *line,
        }
    }
}

/// Decodes a document's bytes to text: UTF-8 with or without a byte order mark, UTF-16 with a
/// byte order mark, and, as a last resort for old exporters, Latin-1. An encoding declaration in
/// the document is not consulted: after decoding it no longer describes the text.
pub fn decode(bytes: &[u8]) -> String {
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

/// The 1-based line of a byte offset into `text` (offsets past the end count to the end).
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    1 + text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count()
}

/// Lines of increasing byte offsets, counted incrementally: every element asks for its line, and
/// counting from the start each time would make reading quadratic in the document's size.
struct Lines<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, offset: u64) -> usize {
        let offset = usize::try_from(offset).unwrap_or(usize::MAX).min(self.text.len());
        if offset < self.offset {
            // Only error positions can lie behind the last element; count those from the start.
            return line_of(self.text, offset);
        }
        let bytes = &self.text.as_bytes()[self.offset..offset];
        self.line += bytes.iter().filter(|&&b| b == b'\n').count();
        self.offset = offset;
        self.line
    }
}

fn local(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

fn element(e: &BytesStart<'_>, line: usize) -> Result<Element, XmlError> {
    let mut attributes = Vec::new();
    // Duplicate attributes are tolerated: the first one wins in lookups.
    for a in e.attributes().with_checks(false) {
        let a = a.map_err(|err| XmlError::Attribute { line, reason: err.to_string() })?;
        let key = local(a.key.local_name().as_ref());
        // An attribute with an unknown entity keeps its raw text rather than failing the file.
        let value = match a.unescape_value() {
            Ok(v) => v.into_owned(),
            Err(_) => String::from_utf8_lossy(&a.value).into_owned(),
        };
        attributes.push((key, value));
    }
    Ok(Element { name: local(e.local_name().as_ref()), attributes, line, ..Default::default() })
}

/// Reads a whole document and returns its root element.
pub fn parse(text: &str) -> Result<Element, XmlError> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut lines = Lines { text, offset: 0, line: 1 };
    // The bottom of the stack stands for the document: its children are the top-level elements.
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        let position = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let line = lines.at(reader.error_position());
                return Err(XmlError::Malformed { line, reason: e.to_string() });
            }
        };
        match event {
            // The stack holds the document and the open elements, so its length is the depth
            // of the element that starts here.
            Event::Start(_) | Event::Empty(_) if stack.len() > MAX_DEPTH => {
                return Err(XmlError::TooDeep { line: lines.at(position), max_depth: MAX_DEPTH });
            }
            Event::Start(e) => stack.push(element(&e, lines.at(position))?),
            Event::Empty(e) => {
                let node = element(&e, lines.at(position))?;
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(node);
                }
            }
            Event::End(_) => {
                let node = stack.pop();
                match (node, stack.last_mut()) {
                    (Some(node), Some(parent)) => parent.children.push(node),
                    _ => return Err(XmlError::UnbalancedEnd { line: lines.at(position) }),
                }
            }
            Event::Text(t) => {
                let s = t
                    .decode()
                    .map_err(|e| XmlError::Encoding { line: lines.at(position), reason: e.to_string() })?;
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
                let name = r
                    .decode()
                    .map_err(|e| XmlError::Encoding { line: lines.at(position), reason: e.to_string() })?
                    .into_owned();
                // An unknown entity stays as written rather than failing the file.
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
        return Err(XmlError::Unclosed { line: lines.at(text.len() as u64), open });
    }
    let mut roots = stack.pop().unwrap_or_default().children.into_iter();
    match (roots.next(), roots.next()) {
        (Some(root), None) => Ok(root),
        (None, _) => Err(XmlError::NoRoot { line: 1 }),
        (Some(_), Some(second)) => Err(XmlError::SeveralRoots { line: second.line }),
    }
}

#[cfg(test)]
mod tests;
