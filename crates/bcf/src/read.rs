//! Reading BCF 2.0, 2.1 and 3.0 archives from other tools: leniently in content, strictly in
//! safety.

use crate::viewpoint_io::{clipping_planes, orthogonal_camera, ClippingPlane, OrthogonalCamera};
use crate::BcfError;
use plumbline_review::{Camera, Status};
use plumbline_xml::Element;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};

/// How much an archive may hold before the reader refuses it. Sizes are counted while
/// decompressing; the sizes that zip headers declare are never trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most entries (files and folders) an archive may list.
    pub max_entries: usize,
    /// The most bytes one entry that the reader decompresses may expand to.
    pub max_entry_bytes: u64,
    /// The most bytes all the entries that the reader decompresses may expand to together.
    pub max_total_bytes: u64,
}

impl Default for Limits {
    /// 20 000 entries, 32 MiB per entry, 256 MiB in total: far beyond real BCF markup (a few
    /// kilobytes per topic), far below what would hurt the machine.
    fn default() -> Self {
        Limits { max_entries: 20_000, max_entry_bytes: 32 << 20, max_total_bytes: 256 << 20 }
    }
}

/// What a BCF archive holds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BcfArchive {
    /// `VersionId` from `bcf.version`; `None` when the archive has none (common in the field).
    pub version: Option<String>,
    /// `DetailedVersion` from `bcf.version`, where given.
    pub detailed_version: Option<String>,
    /// The topics, sorted by the path of their folder in the archive.
    pub topics: Vec<Topic>,
    /// What the reader tolerated: missing viewpoint files, topics without a GUID.
    pub warnings: Vec<String>,
}

/// One topic (issue) of an archive.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Topic {
    /// The topic GUID, lowercase (GUIDs compare case-insensitively; BCF 2 often writes
    /// uppercase). The folder name when the markup has none.
    pub guid: String,
    /// The folder of the topic in the archive (empty for a bare markup file).
    pub folder: String,
    pub title: String,
    pub topic_type: Option<String>,
    /// The status as written (`Open`, `Offen`, `Closed`, …). For BCF 2.0 topics without one,
    /// the `Status` of the last comment that has one.
    pub status_raw: Option<String>,
    /// The status mapped by [`map_status`]; `None` when there is none or it is not known.
    pub status: Option<Status>,
    pub priority: Option<String>,
    pub labels: Vec<String>,
    pub description: Option<String>,
    pub creation_date: Option<String>,
    pub creation_author: Option<String>,
    pub modified_date: Option<String>,
    pub modified_author: Option<String>,
    pub assigned_to: Option<String>,
    pub due_date: Option<String>,
    /// The file names in the markup header (the models the topic is about).
    pub files: Vec<String>,
    pub comments: Vec<Comment>,
    pub viewpoints: Vec<Viewpoint>,
}

/// One comment on a topic.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Comment {
    /// The comment GUID, lowercase.
    pub guid: Option<String>,
    /// `xs:dateTime` as written.
    pub date: Option<String>,
    pub author: Option<String>,
    pub text: String,
    /// The GUID of the viewpoint the comment refers to, lowercase.
    pub viewpoint: Option<String>,
    /// BCF 2.0 comments carried a status of their own.
    pub status_raw: Option<String>,
}

/// A component of a viewpoint: its IfcGuid (the IFC GlobalId), or else the authoring tool's id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Component {
    pub ifc_guid: Option<String>,
    pub authoring_tool_id: Option<String>,
}

impl Component {
    /// The IfcGuid, or the authoring tool id when there is none.
    pub fn id(&self) -> Option<&str> {
        self.ifc_guid.as_deref().or(self.authoring_tool_id.as_deref())
    }
}

/// One viewpoint of a topic.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Viewpoint {
    /// The viewpoint GUID, lowercase, from the markup or the viewpoint file.
    pub guid: Option<String>,
    /// The path of the viewpoint file in the archive; `None` when the markup names none or the
    /// file is missing.
    pub file: Option<String>,
    /// The path of the snapshot in the archive, when the markup names one that exists.
    pub snapshot: Option<String>,
    pub selected: Vec<Component>,
    /// Coloured components by colour (hex as written: `RRGGBB` or `AARRGGBB`).
    pub colored: Vec<(String, Vec<Component>)>,
    /// `DefaultVisibility`; `None` when not given.
    pub default_visibility: Option<bool>,
    /// The components whose visibility differs from the default.
    pub visibility_exceptions: Vec<Component>,
    /// The perspective camera; an orthogonal one is in `orthogonal_camera`.
    pub camera: Option<Camera>,
    /// The orthogonal camera, when the viewpoint has one.
    pub orthogonal_camera: Option<OrthogonalCamera>,
    /// The clipping planes (a section), in the order written.
    pub clipping_planes: Vec<ClippingPlane>,
}

impl Viewpoint {
    /// The ids of every selected or coloured component, sorted, without repeats.
    pub fn component_ids(&self) -> Vec<String> {
        let ids: BTreeSet<&str> = self
            .selected
            .iter()
            .chain(self.colored.iter().flat_map(|(_, c)| c.iter()))
            .filter_map(Component::id)
            .collect();
        ids.into_iter().map(str::to_string).collect()
    }
}

/// Maps a topic status from another tool to a Plumbline status, case-insensitively and in
/// English, German, French, Dutch and Chinese: open-like statuses (`Open`, `Offen`, `Active`,
/// `In Progress`, `Reopened`, `Assigned`) are [`Status::Active`]; `New`, `Reviewed`, `Approved`
/// (`Accepted`) keep their meaning; closed-like statuses (`Closed`, `Resolved`, `Done`, `Fixed`,
/// `Geschlossen`, `Erledigt`) are [`Status::Resolved`]. Anything else is `None`.
pub fn map_status(raw: &str) -> Option<Status> {
    let key: String = raw.trim().to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
    let s = match key.as_str() {
        "new" | "neu" | "nouveau" | "nieuw" | "新建" | "新" => Status::New,
        "open" | "opened" | "offen" | "geöffnet" | "ouvert" | "active" | "aktiv" | "actif" | "inprogress"
        | "inbearbeitung" | "reopened" | "reopen" | "assigned" | "pending" | "todo" | "活动" | "打开"
        | "进行中" => Status::Active,
        "reviewed" | "inreview" | "review" | "geprüft" | "已审阅" => Status::Reviewed,
        "approved" | "accepted" | "genehmigt" | "akzeptiert" | "已批准" | "已核准" => Status::Approved,
        "closed" | "close" | "resolved" | "done" | "fixed" | "solved" | "geschlossen" | "erledigt"
        | "gelöst" | "fermé" | "résolu" | "gesloten" | "opgelost" | "已解决" | "关闭" | "已关闭" => {
            Status::Resolved
        }
        _ => return None,
    };
    Some(s)
}

/// Reads a BCF archive (or a bare `markup.bcf`) with the default [`Limits`].
pub fn read(bytes: &[u8]) -> Result<BcfArchive, BcfError> {
    read_with_limits(bytes, &Limits::default())
}

/// Reads a BCF archive (or a bare `markup.bcf`) within the given limits.
pub fn read_with_limits(bytes: &[u8], limits: &Limits) -> Result<BcfArchive, BcfError> {
    // The reader is written not to panic; should a dependency panic on a hostile archive
    // anyway, the caller still gets an error instead of a crash.
    std::panic::catch_unwind(|| read_inner(bytes, limits)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into());
        Err(BcfError::Internal(what))
    })
}

fn read_inner(bytes: &[u8], limits: &Limits) -> Result<BcfArchive, BcfError> {
    if bytes.starts_with(b"PK") {
        return read_zip(bytes, limits);
    }
    let text_start = plumbline_xml::decode(&bytes[..bytes.len().min(4096)]);
    if text_start.trim_start().starts_with('<') {
        if bytes.len() as u64 > limits.max_entry_bytes {
            return Err(BcfError::EntryTooLarge {
                entry: "markup.bcf".into(),
                limit: limits.max_entry_bytes,
            });
        }
        let root = parse_xml("markup.bcf", bytes)?;
        if !root.name.eq_ignore_ascii_case("Markup") {
            return Err(BcfError::NotBcf(format!(
                "an XML document whose root is <{}>, not a zip archive or <Markup>",
                root.name
            )));
        }
        let mut archive = BcfArchive::default();
        let topic = topic_from_markup(&root, "", None, &mut archive.warnings, "markup.bcf");
        archive.topics.push(topic);
        return Ok(archive);
    }
    if bytes.is_empty() {
        return Err(BcfError::NotBcf("the file is empty".into()));
    }
    Err(BcfError::NotBcf("neither a zip archive nor a markup XML document".into()))
}

/// Why an entry name is refused, if it is.
fn unsafe_reason(name: &str) -> Option<&'static str> {
    let n = name.replace('\\', "/");
    if n.contains('\0') {
        return Some("the name contains a NUL character");
    }
    if n.starts_with('/') {
        return Some("absolute path");
    }
    let b = n.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return Some("the path starts with a drive letter");
    }
    if n.split('/').any(|part| part.trim() == "..") {
        return Some("the path climbs out of the archive with '..'");
    }
    None
}

/// A file of the archive that the reader may decompress, by normalised path.
struct Entries {
    /// Normalised path (`/` separators, no leading `./`) → index in the zip.
    by_path: BTreeMap<String, usize>,
    /// Lowercase normalised path → normalised path, for case-insensitive lookups.
    by_lower: BTreeMap<String, String>,
}

fn normalise(name: &str) -> String {
    let n = name.replace('\\', "/");
    let parts: Vec<&str> = n.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    parts.join("/")
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map(|(p, _)| p).unwrap_or("")
}

fn join(folder: &str, name: &str) -> String {
    if folder.is_empty() {
        normalise(name)
    } else {
        normalise(&format!("{folder}/{name}"))
    }
}

struct Zip<'a> {
    archive: zip::ZipArchive<Cursor<&'a [u8]>>,
    limits: Limits,
    total: u64,
}

impl Zip<'_> {
    /// Decompresses one entry, counting its bytes against the limits as they come.
    fn read(&mut self, index: usize, path: &str) -> Result<Vec<u8>, BcfError> {
        let mut file = self.archive.by_index(index).map_err(|e| match e {
            zip::result::ZipError::Io(source) => BcfError::Entry { entry: path.to_string(), source },
            other => {
                BcfError::Entry { entry: path.to_string(), source: std::io::Error::other(other.to_string()) }
            }
        })?;
        let cap = self.limits.max_entry_bytes.min(self.limits.max_total_bytes.saturating_sub(self.total));
        let mut buf = Vec::new();
        (&mut file)
            .take(cap.saturating_add(1))
            .read_to_end(&mut buf)
            .map_err(|source| BcfError::Entry { entry: path.to_string(), source })?;
        let n = buf.len() as u64;
        if n > self.limits.max_entry_bytes {
            return Err(BcfError::EntryTooLarge {
                entry: path.to_string(),
                limit: self.limits.max_entry_bytes,
            });
        }
        if n > cap {
            return Err(BcfError::ArchiveTooLarge {
                entry: path.to_string(),
                limit: self.limits.max_total_bytes,
            });
        }
        self.total += n;
        Ok(buf)
    }
}

fn read_zip(bytes: &[u8], limits: &Limits) -> Result<BcfArchive, BcfError> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(BcfError::Zip)?;
    if archive.len() > limits.max_entries {
        return Err(BcfError::TooManyEntries { count: archive.len(), limit: limits.max_entries });
    }
    let mut zip = Zip { archive, limits: *limits, total: 0 };
    let mut entries = Entries { by_path: BTreeMap::new(), by_lower: BTreeMap::new() };
    for i in 0..zip.archive.len() {
        let (name, is_dir) = {
            let f = zip.archive.by_index_raw(i).map_err(BcfError::Zip)?;
            (f.name().map_err(BcfError::Zip)?.into_owned(), f.is_dir())
        };
        if let Some(reason) = unsafe_reason(&name) {
            return Err(BcfError::UnsafeEntry { entry: name, reason });
        }
        if is_dir {
            continue;
        }
        let path = normalise(&name);
        entries.by_lower.insert(path.to_lowercase(), path.clone());
        entries.by_path.insert(path, i);
    }

    let mut out = BcfArchive::default();
    // bcf.version: the shallowest one, for archives that wrap everything in one folder.
    let version_path = entries
        .by_path
        .keys()
        .filter(|p| p.rsplit('/').next().is_some_and(|f| f.eq_ignore_ascii_case("bcf.version")))
        .min_by_key(|p| (p.matches('/').count(), (*p).clone()))
        .cloned();
    if let Some((path, &index)) = version_path.as_ref().and_then(|p| entries.by_path.get_key_value(p)) {
        // The version is not needed to read the topics: a broken bcf.version is a warning.
        match parse_xml(path, &zip.read(index, path)?) {
            Ok(root) => {
                out.version = attr(&root, "VersionId");
                out.detailed_version = text_of(&root, "DetailedVersion");
            }
            Err(e) => out.warnings.push(format!("{e}; the version is unknown")),
        }
    }

    let markups: Vec<String> = entries
        .by_path
        .keys()
        .filter(|p| p.rsplit('/').next().is_some_and(|f| f.eq_ignore_ascii_case("markup.bcf")))
        .cloned()
        .collect();
    for path in markups {
        let Some(&index) = entries.by_path.get(&path) else { continue };
        let root = parse_xml(&path, &zip.read(index, &path)?)?;
        if !root.name.eq_ignore_ascii_case("Markup") {
            out.warnings.push(format!("{path}: the root element is <{}>, not <Markup>; skipped", root.name));
            continue;
        }
        let folder = parent(&path).to_string();
        // The folder's viewpoint files, parsed.
        let mut viewpoint_files = BTreeMap::new();
        let prefix = if folder.is_empty() { String::new() } else { format!("{folder}/") };
        let in_folder: Vec<(String, usize)> = entries
            .by_path
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .filter(|(p, _)| !p[prefix.len()..].contains('/') && p.to_lowercase().ends_with(".bcfv"))
            .map(|(p, i)| (p.clone(), *i))
            .collect();
        for (vp_path, vp_index) in in_folder {
            let vp = parse_xml(&vp_path, &zip.read(vp_index, &vp_path)?)?;
            viewpoint_files.insert(vp_path.to_lowercase(), (vp_path, vp));
        }
        let mut topic = topic_from_markup(&root, &folder, Some(&viewpoint_files), &mut out.warnings, &path);
        // Snapshots are named, never decompressed: their paths only need to exist.
        for vp in &mut topic.viewpoints {
            if let Some(s) = vp.snapshot.take() {
                vp.snapshot = entries.by_lower.get(&s.to_lowercase()).cloned();
                if vp.snapshot.is_none() {
                    out.warnings.push(format!("{path}: the snapshot '{s}' is not in the archive"));
                }
            }
        }
        out.topics.push(topic);
    }
    if out.topics.is_empty() && out.version.is_none() {
        return Err(BcfError::NotBcf("the zip archive has neither bcf.version nor any markup.bcf".into()));
    }
    Ok(out)
}

/// Reads one XML entry; malformed XML is an error naming the entry and the line.
fn parse_xml(entry: &str, bytes: &[u8]) -> Result<Element, BcfError> {
    plumbline_xml::parse(&plumbline_xml::decode(bytes))
        .map_err(|e| BcfError::xml(entry, e.line(), e.to_string()))
}

// BCF files from the field vary in the case of element and attribute names, so every lookup
// ignores case; the values are owned because they end up in the topic.

/// The trimmed text of the first child with this name, when it is not empty.
fn text_of(n: &Element, name: &str) -> Option<String> {
    n.text_of_ignore_case(name).map(str::to_string)
}

/// The trimmed value of an attribute, when it is not empty.
fn attr(n: &Element, name: &str) -> Option<String> {
    n.attr_ignore_case(name).map(str::to_string)
}

fn lower(s: Option<String>) -> Option<String> {
    s.map(|g| g.to_ascii_lowercase())
}

/// Builds a topic from its markup and the parsed viewpoint files of its folder (lowercase path
/// → (path, root)); `None` for a bare markup file, which has no folder to look in.
fn topic_from_markup(
    root: &Element,
    folder: &str,
    viewpoint_files: Option<&BTreeMap<String, (String, Element)>>,
    warnings: &mut Vec<String>,
    entry: &str,
) -> Topic {
    let no_files = BTreeMap::new();
    let bare = viewpoint_files.is_none();
    let viewpoint_files = viewpoint_files.unwrap_or(&no_files);
    let empty = Element::default();
    let t = root.child_ignore_case("Topic").unwrap_or(&empty);
    if root.child_ignore_case("Topic").is_none() {
        warnings.push(format!("{entry}: the markup has no <Topic>"));
    }
    let folder_name = folder.rsplit('/').next().unwrap_or(folder);
    let guid = attr(t, "Guid").unwrap_or_else(|| {
        warnings.push(format!("{entry}: the topic has no Guid; the folder name stands for it"));
        folder_name.to_string()
    });
    let mut topic = Topic {
        guid: guid.to_ascii_lowercase(),
        folder: folder.to_string(),
        title: text_of(t, "Title").unwrap_or_default(),
        topic_type: attr(t, "TopicType"),
        status_raw: attr(t, "TopicStatus"),
        priority: text_of(t, "Priority"),
        description: text_of(t, "Description"),
        creation_date: text_of(t, "CreationDate"),
        creation_author: text_of(t, "CreationAuthor"),
        modified_date: text_of(t, "ModifiedDate"),
        modified_author: text_of(t, "ModifiedAuthor"),
        assigned_to: text_of(t, "AssignedTo"),
        due_date: text_of(t, "DueDate"),
        ..Default::default()
    };
    // Labels: BCF 2 repeats <Labels>text</Labels>; BCF 3 nests <Labels><Label>text</Label>.
    for l in t.all_ignore_case("Labels") {
        if l.child_ignore_case("Label").is_some() {
            topic.labels.extend(l.all_ignore_case("Label").filter_map(Element::trimmed).map(str::to_string));
        } else if let Some(text) = l.trimmed() {
            topic.labels.push(text.to_string());
        }
    }
    // Header files: BCF 2 <Header><File>, BCF 3 <Header><Files><File>.
    if let Some(h) = root.child_ignore_case("Header") {
        topic.files = h
            .descendants_ignore_case("File")
            .into_iter()
            .filter_map(|f| text_of(f, "Filename").or_else(|| text_of(f, "Reference")))
            .collect();
    }
    // Comments: BCF 2 under <Markup>, BCF 3 under <Topic><Comments>.
    let comments = root
        .all_ignore_case("Comment")
        .chain(t.child_ignore_case("Comments").into_iter().flat_map(|c| c.all_ignore_case("Comment")));
    for c in comments {
        topic.comments.push(Comment {
            guid: lower(attr(c, "Guid")),
            date: text_of(c, "Date"),
            author: text_of(c, "Author"),
            text: c.child_ignore_case("Comment").map(|x| x.text.trim().to_string()).unwrap_or_default(),
            viewpoint: lower(c.child_ignore_case("Viewpoint").and_then(|v| attr(v, "Guid"))),
            status_raw: text_of(c, "Status").or_else(|| text_of(c, "VerbalStatus")),
        });
    }
    if topic.status_raw.is_none() {
        topic.status_raw = topic.comments.iter().rev().find_map(|c| c.status_raw.clone());
    }
    topic.status = topic.status_raw.as_deref().and_then(map_status);

    // Viewpoints named by the markup: BCF 2 <Markup><Viewpoints Guid>, BCF 3
    // <Topic><Viewpoints><ViewPoint Guid>.
    let refs = root
        .all_ignore_case("Viewpoints")
        .chain(t.child_ignore_case("Viewpoints").into_iter().flat_map(|v| v.all_ignore_case("ViewPoint")));
    let mut used = BTreeSet::new();
    for r in refs {
        let file_ref = text_of(r, "Viewpoint").map(|f| join(folder, &f));
        let snapshot = text_of(r, "Snapshot").map(|s| join(folder, &s));
        let found = file_ref.as_ref().and_then(|f| viewpoint_files.get(&f.to_lowercase()));
        if let (Some(f), None, false) = (&file_ref, found, bare) {
            warnings.push(format!("{entry}: the viewpoint file '{f}' is not in the archive"));
        }
        let mut vp = match found {
            Some((path, node)) => {
                used.insert(path.to_lowercase());
                viewpoint(node, Some(path.clone()))
            }
            None => Viewpoint::default(),
        };
        vp.guid = lower(attr(r, "Guid")).or(vp.guid);
        vp.snapshot = snapshot;
        topic.viewpoints.push(vp);
    }
    // Viewpoint files the markup does not name (BCF 2.0 archives often rely on the default
    // name `viewpoint.bcfv`).
    for (key, (path, node)) in viewpoint_files {
        if !used.contains(key) {
            topic.viewpoints.push(viewpoint(node, Some(path.clone())));
        }
    }
    topic
}

fn component(n: &Element) -> Option<Component> {
    let c = Component { ifc_guid: attr(n, "IfcGuid"), authoring_tool_id: text_of(n, "AuthoringToolId") };
    (c.id().is_some()).then_some(c)
}

fn components(n: Option<&Element>) -> Vec<Component> {
    let mut out = Vec::new();
    if let Some(n) = n {
        out.extend(n.descendants_ignore_case("Component").into_iter().filter_map(component));
    }
    out
}

fn point(n: Option<&Element>) -> Option<[f64; 3]> {
    let n = n?;
    let v = |k: &str| text_of(n, k).and_then(|t| t.parse::<f64>().ok()).filter(|x| x.is_finite());
    Some([v("X")?, v("Y")?, v("Z")?])
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// The components and camera of a viewpoint file.
fn viewpoint(root: &Element, file: Option<String>) -> Viewpoint {
    let mut vp = Viewpoint { guid: lower(attr(root, "Guid")), file, ..Default::default() };
    if let Some(c) = root.child_ignore_case("Components") {
        vp.selected = components(c.child_ignore_case("Selection"));
        if let Some(v) = c.child_ignore_case("Visibility") {
            vp.default_visibility = attr(v, "DefaultVisibility").as_deref().and_then(parse_bool);
            vp.visibility_exceptions = components(v.child_ignore_case("Exceptions"));
        }
        if let Some(col) = c.child_ignore_case("Coloring") {
            for color in col.all_ignore_case("Color") {
                let hex = attr(color, "Color").unwrap_or_default();
                vp.colored.push((hex, components(Some(color))));
            }
        }
        // BCF 2.0: <Components><Component IfcGuid Selected Visible Color/>.
        let mut by_color: BTreeMap<String, Vec<Component>> = BTreeMap::new();
        for n in c.all_ignore_case("Component") {
            let Some(comp) = component(n) else { continue };
            if attr(n, "Selected").as_deref().and_then(parse_bool) == Some(true) {
                vp.selected.push(comp.clone());
            }
            if attr(n, "Visible").as_deref().and_then(parse_bool) == Some(false) {
                vp.visibility_exceptions.push(comp.clone());
            }
            if let Some(hex) = attr(n, "Color") {
                by_color.entry(hex).or_default().push(comp);
            }
        }
        vp.colored.extend(by_color);
    }
    if let Some(p) = root.child_ignore_case("PerspectiveCamera") {
        let position = point(p.child_ignore_case("CameraViewPoint"));
        let direction = point(p.child_ignore_case("CameraDirection"));
        let up = point(p.child_ignore_case("CameraUpVector"));
        let fov = text_of(p, "FieldOfView").and_then(|t| t.parse::<f64>().ok()).filter(|x| x.is_finite());
        if let (Some(position), Some(direction), Some(up)) = (position, direction, up) {
            vp.camera = Some(Camera { position, direction, up, field_of_view_deg: fov.unwrap_or(60.0) });
        }
    }
    vp.orthogonal_camera = orthogonal_camera(root);
    vp.clipping_planes = clipping_planes(root);
    vp
}
