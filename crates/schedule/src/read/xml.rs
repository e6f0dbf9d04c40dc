//! A small element tree over quick-xml events, for the XML schedule formats (MSPDI, P6 XML).
//! Both are shallow, data-only documents, so a tree of local names and texts is all the readers
//! need; each node keeps its byte offset so that errors can name the line.

use crate::ScheduleError;
use quick_xml::events::Event;
use std::path::Path;

/// One XML element: its local name (namespace prefix dropped), its text and its children.
#[derive(Debug, Default)]
pub(crate) struct Node {
    pub name: String,
    pub text: String,
    pub children: Vec<Node>,
    /// Byte offset of the start tag in the document.
    pub offset: usize,
}

impl Node {
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the first child with this name, if it is not empty.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim()).filter(|t| !t.is_empty())
    }
}

/// Parses a whole document; the root element is returned. Malformed XML is an error naming the
/// line where the parser stopped.
pub(crate) fn parse(path: &Path, text: &str) -> Result<Node, ScheduleError> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Node> = vec![Node::default()];
    let line_at = |offset: u64| line_of(text, offset as usize);
    loop {
        let position = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            ScheduleError::syntax(path, line_at(reader.error_position()), format!("not well-formed XML: {e}"))
        })?;
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                stack.push(Node { name, offset: position as usize, ..Default::default() });
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let node = Node { name, offset: position as usize, ..Default::default() };
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(node);
                }
            }
            Event::End(_) => {
                let Some(node) = stack.pop() else { break };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => {
                        return Err(ScheduleError::syntax(path, line_at(position), "unbalanced end tag"));
                    }
                }
            }
            Event::Text(t) => {
                let s = t.decode().map_err(|e| {
                    ScheduleError::syntax(path, line_at(position), format!("bad text encoding: {e}"))
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
        return Err(ScheduleError::syntax(
            path,
            line_of(text, text.len()),
            format!("the document ends inside <{open}>"),
        ));
    }
    let mut top = stack.pop().unwrap_or_default();
    top.children
        .pop()
        .filter(|_| top.children.is_empty())
        .ok_or_else(|| ScheduleError::syntax(path, 1, "the document has no single root element"))
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    1 + text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count()
}
