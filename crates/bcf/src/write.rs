//! Writing a clash report as a BCF 2.1 or 3.0 archive.

use crate::topic_review::TopicReview;
use crate::{BcfError, BcfVersion, UtcDateTime};
use plumbline_review::{frame_box, stable_uuid, ClashRecord, Group, Report, ReviewNotes, Status, TestReport};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;
use std::io::Write as _;
use zip::write::SimpleFileOptions;

/// The topic statuses Plumbline writes (declared in BCF 3.0's `extensions.xml`), in workflow
/// order: the names of [`Status`] with a capital letter.
pub const STATUSES: [&str; 5] = ["New", "Active", "Reviewed", "Approved", "Resolved"];

/// The topic type of every topic Plumbline writes.
const TOPIC_TYPE: &str = "Clash";

/// Colour of the A elements of the clashes: opaque red, as BCF's ARGB hex.
pub const COLOR_A: &str = "FFFF0000";
/// Colour of the B elements of the clashes: opaque green, as BCF's ARGB hex.
pub const COLOR_B: &str = "FF00FF00";

/// The longest side BCF 3.0 allows a snapshot, in pixels.
const MAX_SNAPSHOT_PX_V3: u32 = 1500;

/// The aspect ratio written for a BCF 3.0 camera when the snapshot does not give one.
pub(crate) const DEFAULT_ASPECT_RATIO: f64 = 4.0 / 3.0;

/// How to write an archive.
pub struct ExportOptions<'a> {
    pub version: BcfVersion,
    /// The topics' `CreationAuthor` (an e-mail address by BCF custom; not blank).
    pub author: &'a str,
    /// The topics' `CreationDate`, and the zip entries' modification time.
    pub date_utc: UtcDateTime,
    /// The PNG snapshot of a group, or `None` to write the topic without one.
    pub snapshots: &'a dyn Fn(&Group) -> Option<Vec<u8>>,
}

impl std::fmt::Debug for ExportOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportOptions")
            .field("version", &self.version)
            .field("author", &self.author)
            .field("date_utc", &self.date_utc)
            .finish_non_exhaustive()
    }
}

/// The topic status written for a Plumbline status.
pub(crate) fn status_name(s: Status) -> &'static str {
    STATUSES[Status::ALL.iter().position(|x| *x == s).unwrap_or(0)]
}

/// The status of a group: that of its least advanced clash (a group is as open as its most
/// open clash), `New` when it has none.
fn group_status(clashes: &[&ClashRecord]) -> Status {
    clashes.iter().map(|c| c.status).min().unwrap_or(Status::New)
}

/// Writes the report as a BCF archive: `bcf.version`, for 3.0 `extensions.xml`, and per group
/// a folder named by its topic GUID with `markup.bcf`, `viewpoint.bcfv` and, when the caller
/// supplies one, `snapshot.png`.
pub fn write(report: &Report, options: &ExportOptions<'_>) -> Result<Vec<u8>, BcfError> {
    write_with_notes(report, options, &BTreeMap::new())
}

/// As [`write`], with what reviewers recorded in the clash history (by clash id): each topic
/// carries its group's `Index` (lowest clash number), `AssignedTo`, `Priority`, `DueDate`,
/// `Labels` and comments (see the `topic_review` module for how a group's clashes combine).
pub fn write_with_notes(
    report: &Report,
    options: &ExportOptions<'_>,
    notes: &BTreeMap<String, ReviewNotes>,
) -> Result<Vec<u8>, BcfError> {
    let author = clean(options.author);
    let author = author.trim();
    if author.is_empty() {
        return Err(BcfError::InvalidOption("the author must not be blank".into()));
    }
    let v3 = options.version == BcfVersion::V3_0;
    let file_options = archive_entry_options(options.date_utc);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut put = |name: &str, bytes: &[u8]| -> Result<(), BcfError> {
        zip.start_file(name, file_options).map_err(BcfError::Write)?;
        zip.write_all(bytes).map_err(|e| BcfError::Write(e.into()))
    };

    put("bcf.version", version_xml(options.version).as_bytes())?;
    if v3 {
        let mut labels: BTreeSet<String> = report
            .tests
            .iter()
            .map(|t| clean(&t.info.name).trim().to_string())
            .filter(|n| !n.is_empty())
            .collect();
        let mut users: BTreeSet<String> = BTreeSet::from([author.to_string()]);
        let mut priorities: BTreeSet<String> = BTreeSet::new();
        for n in notes.values() {
            labels.extend(n.labels.iter().map(|l| clean(l).trim().to_string()).filter(|l| !l.is_empty()));
            users.extend(n.assigned_to.iter().map(|a| clean(a).trim().to_string()).filter(|a| !a.is_empty()));
            priorities
                .extend(n.priority.iter().map(|p| clean(p).trim().to_string()).filter(|p| !p.is_empty()));
        }
        put("extensions.xml", extensions_xml(&labels, &users, &priorities).as_bytes())?;
    }
    let mut seen = HashSet::new();
    for test in &report.tests {
        let by_id: BTreeMap<&str, &ClashRecord> = test.clashes.iter().map(|c| (c.id.as_str(), c)).collect();
        for group in &test.groups {
            let guid = topic_guid(group);
            if !seen.insert(guid.clone()) {
                return Err(BcfError::DuplicateTopic(guid));
            }
            let clashes: Vec<&ClashRecord> =
                group.clash_ids.iter().filter_map(|id| by_id.get(id.as_str()).copied()).collect();
            let snapshot = (options.snapshots)(group);
            let aspect = match &snapshot {
                Some(png) => check_png(group, png, v3)?,
                None => DEFAULT_ASPECT_RATIO,
            };
            let (vp_guid, viewpoint) = viewpoint_xml(options.version, group, &clashes, aspect);
            let review = TopicReview::of(&clashes, notes);
            let markup = markup_xml(
                options,
                author,
                report,
                (test, group, &review),
                &guid,
                &clashes,
                &vp_guid,
                snapshot.is_some(),
            );
            put(&format!("{guid}/markup.bcf"), markup.as_bytes())?;
            put(&format!("{guid}/viewpoint.bcfv"), viewpoint.as_bytes())?;
            if let Some(png) = &snapshot {
                put(&format!("{guid}/snapshot.png"), png)?;
            }
        }
    }
    let cursor = zip.finish().map_err(BcfError::Write)?;
    Ok(cursor.into_inner())
}

/// The topic GUID: the group's stable GUID, lowercase; a group without a valid one gets a GUID
/// derived from its id.
fn topic_guid(group: &Group) -> String {
    let g = group.guid.trim().to_ascii_lowercase();
    if is_guid(&g) {
        g
    } else {
        stable_uuid(&["plumbline-bcf-topic", &group.id])
    }
}

/// Whether a text is a GUID as the BCF schemas define it (8-4-4-4-12 hex digits).
pub(crate) fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// Whether a GlobalId fits BCF's `IfcGuid` type (22 characters of the IFC base-64 alphabet).
fn is_ifc_guid(s: &str) -> bool {
    s.len() == 22 && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'$')
}

/// Checks a caller's snapshot (a PNG, for BCF 3.0 at most 1500 px on the long side) and returns
/// its aspect ratio.
fn check_png(group: &Group, png: &[u8], v3: bool) -> Result<f64, BcfError> {
    png_aspect(&group.id, png, v3)
}

/// Checks a PNG snapshot of the topic named `what` (for BCF 3.0 at most 1500 px on the long
/// side) and returns its aspect ratio.
pub(crate) fn png_aspect(what: &str, png: &[u8], v3: bool) -> Result<f64, BcfError> {
    let err = |reason: String| BcfError::Snapshot { group: what.to_string(), reason };
    const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    if png.len() < 24 || png[..8] != SIGNATURE || &png[12..16] != b"IHDR" {
        return Err(err("not a PNG image".into()));
    }
    let w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    let h = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
    if w == 0 || h == 0 {
        return Err(err(format!("the image is {w} × {h} pixels")));
    }
    if v3 && w.max(h) > MAX_SNAPSHOT_PX_V3 {
        return Err(err(format!(
            "the image is {w} × {h} pixels; BCF 3.0 allows at most {MAX_SNAPSHOT_PX_V3} on the long side"
        )));
    }
    Ok(f64::from(w) / f64::from(h))
}

pub(crate) const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
pub(crate) const XSI: &str = "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";

/// How every entry of an archive we write is stored: deflated, dated the export's time (zip
/// seconds are even, so at most :58), readable by all.
pub(crate) fn archive_entry_options(date_utc: UtcDateTime) -> SimpleFileOptions {
    let (y, mo, d, h, mi, s) = date_utc.parts();
    let zip_time = u16::try_from(y)
        .ok()
        .and_then(|y| zip::DateTime::from_date_and_time(y, mo, d, h, mi, s.min(58)).ok())
        .unwrap_or_default();
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip_time)
        .unix_permissions(0o644)
}

pub(crate) fn version_xml(version: BcfVersion) -> String {
    match version {
        BcfVersion::V2_1 => format!(
            "{XML_DECL}<Version {XSI} xsi:noNamespaceSchemaLocation=\"version.xsd\" VersionId=\"2.1\">\n  <DetailedVersion>2.1</DetailedVersion>\n</Version>\n"
        ),
        BcfVersion::V3_0 => {
            format!("{XML_DECL}<Version {XSI} xsi:noNamespaceSchemaLocation=\"version.xsd\" VersionId=\"3.0\"/>\n")
        }
    }
}

fn extensions_xml(
    labels: &BTreeSet<String>,
    users: &BTreeSet<String>,
    priorities: &BTreeSet<String>,
) -> String {
    let mut x = format!("{XML_DECL}<Extensions {XSI} xsi:noNamespaceSchemaLocation=\"extensions.xsd\">\n");
    let _ = writeln!(x, "  <TopicTypes>\n    <TopicType>{TOPIC_TYPE}</TopicType>\n  </TopicTypes>");
    x.push_str("  <TopicStatuses>\n");
    for s in STATUSES {
        let _ = writeln!(x, "    <TopicStatus>{s}</TopicStatus>");
    }
    x.push_str("  </TopicStatuses>\n");
    if !priorities.is_empty() {
        x.push_str("  <Priorities>\n");
        for p in priorities {
            let _ = writeln!(x, "    <Priority>{}</Priority>", esc(p));
        }
        x.push_str("  </Priorities>\n");
    }
    if !labels.is_empty() {
        x.push_str("  <TopicLabels>\n");
        for l in labels {
            let _ = writeln!(x, "    <TopicLabel>{}</TopicLabel>", esc(l));
        }
        x.push_str("  </TopicLabels>\n");
    }
    x.push_str("  <Users>\n");
    for u in users {
        let _ = writeln!(x, "    <User>{}</User>", esc(u));
    }
    x.push_str("  </Users>\n");
    x.push_str("</Extensions>\n");
    x
}

/// The topic's comments: in BCF 2.1 `Comment` elements after the topic, in 3.0 a `Comments`
/// list inside it. Each comment's GUID is derived from the topic, its position and its text, so
/// a re-export writes the same GUIDs.
fn comments_xml(topic_guid: &str, review: &TopicReview, v3: bool) -> String {
    let mut x = String::new();
    if review.comments.is_empty() {
        return x;
    }
    let pad = if v3 { "      " } else { "  " };
    if v3 {
        x.push_str("    <Comments>\n");
    }
    for (i, n) in review.comments.iter().enumerate() {
        let text = clean(&n.text).trim().to_string();
        let author = clean(&n.author).trim().to_string();
        let guid =
            stable_uuid(&["plumbline-bcf-comment", topic_guid, &i.to_string(), &n.date, &author, &text]);
        let _ = writeln!(
            x,
            "{pad}<Comment Guid=\"{guid}\">\n{pad}  <Date>{}</Date>\n{pad}  <Author>{}</Author>\n{pad}  <Comment>{}</Comment>\n{pad}</Comment>",
            esc(&n.date),
            esc(if author.is_empty() { "unknown" } else { &author }),
            esc(&text)
        );
    }
    if v3 {
        x.push_str("    </Comments>\n");
    }
    x
}

/// The file name of a model path (either separator).
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The topic's description: the group's explanation, its Chinese title and explanation, then
/// each clash's explanation in both languages.
fn description(group: &Group, clashes: &[&ClashRecord]) -> String {
    let mut d = String::new();
    for line in [&group.explanation.en, &group.title.zh, &group.explanation.zh] {
        if !line.trim().is_empty() {
            let _ = writeln!(d, "{}", line.trim());
        }
    }
    if !clashes.is_empty() {
        d.push_str("\nClashes / 碰撞:\n");
        for c in clashes {
            let _ = writeln!(d, "- {}", c.explanation.en.trim());
            if !c.explanation.zh.trim().is_empty() {
                let _ = writeln!(d, "  {}", c.explanation.zh.trim());
            }
        }
    }
    let d = clean(&d).trim().to_string();
    if d.is_empty() {
        group.id.clone()
    } else {
        d
    }
}

#[allow(clippy::too_many_arguments, reason = "one private call site; a struct would only rename them")]
fn markup_xml(
    options: &ExportOptions<'_>,
    author: &str,
    report: &Report,
    (test, group, review): (&TestReport, &Group, &TopicReview),
    guid: &str,
    clashes: &[&ClashRecord],
    vp_guid: &str,
    has_snapshot: bool,
) -> String {
    let v3 = options.version == BcfVersion::V3_0;
    // The model files of the group's elements, or every model of the run when they are unknown.
    let mut files: BTreeSet<&str> = clashes
        .iter()
        .flat_map(|c| [c.a.file.as_str(), c.b.file.as_str()])
        .map(file_name)
        .filter(|f| !f.trim().is_empty())
        .collect();
    if files.is_empty() {
        files = report.models.iter().map(|m| file_name(m)).filter(|f| !f.trim().is_empty()).collect();
    }
    let status = status_name(group_status(clashes));
    let title = [&group.title.en, &group.id]
        .into_iter()
        .map(|t| clean(t).trim().to_string())
        .find(|t| !t.is_empty())
        .unwrap_or_else(|| guid.to_string());
    let date = options.date_utc.to_string();

    let mut x = format!("{XML_DECL}<Markup {XSI} xsi:noNamespaceSchemaLocation=\"markup.xsd\">\n");
    if !files.is_empty() {
        x.push_str("  <Header>\n");
        if v3 {
            x.push_str("    <Files>\n");
        }
        let pad = if v3 { "      " } else { "    " };
        let external = if v3 { "IsExternal" } else { "isExternal" };
        for f in &files {
            let _ = writeln!(
                x,
                "{pad}<File {external}=\"true\">\n{pad}  <Filename>{}</Filename>\n{pad}</File>",
                esc(f)
            );
        }
        if v3 {
            x.push_str("    </Files>\n");
        }
        x.push_str("  </Header>\n");
    }
    let _ = writeln!(x, "  <Topic Guid=\"{guid}\" TopicType=\"{TOPIC_TYPE}\" TopicStatus=\"{status}\">");
    let _ = writeln!(x, "    <Title>{}</Title>", esc(&title));
    // The schemas' order: Title, Priority, Index, Labels, CreationDate, CreationAuthor,
    // ModifiedDate, ModifiedAuthor, DueDate, AssignedTo, Description, (3.0: Comments,)
    // Viewpoints.
    let text =
        |v: &Option<String>| v.as_deref().map(clean).map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    if let Some(p) = text(&review.priority) {
        let _ = writeln!(x, "    <Priority>{}</Priority>", esc(&p));
    }
    if let Some(i) = review.index.and_then(|i| i32::try_from(i).ok()) {
        let _ = writeln!(x, "    <Index>{i}</Index>");
    }
    let mut labels: BTreeSet<String> = BTreeSet::new();
    labels.extend(std::iter::once(clean(&test.info.name).trim().to_string()));
    labels.extend(review.labels.iter().map(|l| clean(l).trim().to_string()));
    labels.retain(|l| !l.is_empty());
    if !labels.is_empty() {
        if v3 {
            x.push_str("    <Labels>\n");
            for l in &labels {
                let _ = writeln!(x, "      <Label>{}</Label>", esc(l));
            }
            x.push_str("    </Labels>\n");
        } else {
            for l in &labels {
                let _ = writeln!(x, "    <Labels>{}</Labels>", esc(l));
            }
        }
    }
    let _ = writeln!(x, "    <CreationDate>{date}</CreationDate>");
    let _ = writeln!(x, "    <CreationAuthor>{}</CreationAuthor>", esc(author));
    if let Some(last) = review.last_comment() {
        let _ = writeln!(x, "    <ModifiedDate>{}</ModifiedDate>", esc(&last.date));
        let _ = writeln!(x, "    <ModifiedAuthor>{}</ModifiedAuthor>", esc(clean(&last.author).trim()));
    }
    if let Some(due) = text(&review.due_date) {
        // xs:dateTime; a due date is a day, written as its start in UTC.
        let _ = writeln!(x, "    <DueDate>{}T00:00:00Z</DueDate>", esc(&due));
    }
    if let Some(who) = text(&review.assigned_to) {
        let _ = writeln!(x, "    <AssignedTo>{}</AssignedTo>", esc(&who));
    }
    let _ = writeln!(x, "    <Description>{}</Description>", esc(&description(group, clashes)));
    let comments = comments_xml(guid, review, v3);
    let snapshot = if has_snapshot { "<Snapshot>snapshot.png</Snapshot>" } else { "" };
    if v3 {
        x.push_str(&comments);
        let _ = writeln!(
            x,
            "    <Viewpoints>\n      <ViewPoint Guid=\"{vp_guid}\"><Viewpoint>viewpoint.bcfv</Viewpoint>{snapshot}</ViewPoint>\n    </Viewpoints>"
        );
        x.push_str("  </Topic>\n");
    } else {
        x.push_str("  </Topic>\n");
        x.push_str(&comments);
        let _ = writeln!(
            x,
            "  <Viewpoints Guid=\"{vp_guid}\"><Viewpoint>viewpoint.bcfv</Viewpoint>{snapshot}</Viewpoints>"
        );
    }
    x.push_str("</Markup>\n");
    x
}

/// A number as `xs:double` text: Rust's shortest round-trip form, which never uses an exponent.
pub(crate) fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        "0".into()
    }
}

pub(crate) fn xyz(tag: &str, v: [f64; 3]) -> String {
    format!("<{tag}><X>{}</X><Y>{}</Y><Z>{}</Z></{tag}>", num(v[0]), num(v[1]), num(v[2]))
}

pub(crate) fn component(gid: &str) -> String {
    if is_ifc_guid(gid) {
        format!("<Component IfcGuid=\"{gid}\"/>")
    } else {
        // A GlobalId that BCF's IfcGuid type does not accept travels as the tool's own id.
        format!("<Component><AuthoringToolId>{}</AuthoringToolId></Component>", esc(gid))
    }
}

/// The topic's viewpoint and its GUID. The GUID is derived from the topic GUID and the
/// viewpoint's content, so a re-export of an unchanged group gives the same viewpoint and a
/// changed group a new one (BCF 3.0 viewpoints are immutable).
fn viewpoint_xml(
    version: BcfVersion,
    group: &Group,
    clashes: &[&ClashRecord],
    aspect: f64,
) -> (String, String) {
    let v3 = version == BcfVersion::V3_0;
    let gids = |f: &dyn Fn(&ClashRecord) -> &str| -> BTreeSet<String> {
        clashes.iter().map(|c| f(c).trim().to_string()).filter(|g| !g.is_empty()).collect()
    };
    let a = gids(&|c| &c.a.global_id);
    // An element that is A in one clash and B in another is coloured as A.
    let b: BTreeSet<String> = gids(&|c| &c.b.global_id).difference(&a).cloned().collect();
    let selected: BTreeSet<&String> = a.iter().chain(b.iter()).collect();

    let mut x = String::from("  <Components>\n");
    let hints = "<ViewSetupHints SpacesVisible=\"false\" SpaceBoundariesVisible=\"false\" OpeningsVisible=\"false\"/>";
    if !v3 {
        let _ = writeln!(x, "    {hints}");
    }
    if !selected.is_empty() {
        x.push_str("    <Selection>\n");
        for g in &selected {
            let _ = writeln!(x, "      {}", component(g));
        }
        x.push_str("    </Selection>\n");
    }
    if v3 {
        let _ = writeln!(x, "    <Visibility DefaultVisibility=\"true\">\n      {hints}\n    </Visibility>");
    } else {
        x.push_str("    <Visibility DefaultVisibility=\"true\"/>\n");
    }
    if !selected.is_empty() {
        x.push_str("    <Coloring>\n");
        for (color, set) in [(COLOR_A, &a), (COLOR_B, &b)] {
            if set.is_empty() {
                continue;
            }
            let _ = writeln!(x, "      <Color Color=\"{color}\">");
            if v3 {
                x.push_str("        <Components>\n");
            }
            for g in set {
                let _ = writeln!(x, "        {}", component(g));
            }
            if v3 {
                x.push_str("        </Components>\n");
            }
            x.push_str("      </Color>\n");
        }
        x.push_str("    </Coloring>\n");
    }
    x.push_str("  </Components>\n");
    let camera = frame_box(&group.aabb);
    // BCF 2.1 limits the field of view to 45–60 degrees; 3.0 to (0, 180).
    let fov = if v3 {
        camera.field_of_view_deg.clamp(1.0, 179.0)
    } else {
        camera.field_of_view_deg.clamp(45.0, 60.0)
    };
    let fov = if fov.is_finite() { fov } else { 60.0 };
    let _ = writeln!(x, "  <PerspectiveCamera>");
    let _ = writeln!(x, "    {}", xyz("CameraViewPoint", camera.position));
    let _ = writeln!(x, "    {}", xyz("CameraDirection", camera.direction));
    let _ = writeln!(x, "    {}", xyz("CameraUpVector", camera.up));
    let _ = writeln!(x, "    <FieldOfView>{}</FieldOfView>", num(fov));
    if v3 {
        let aspect = if aspect.is_finite() && aspect > 0.0 { aspect } else { DEFAULT_ASPECT_RATIO };
        let _ = writeln!(x, "    <AspectRatio>{}</AspectRatio>", num(aspect));
    }
    x.push_str("  </PerspectiveCamera>\n");

    let guid = stable_uuid(&["plumbline-bcf-viewpoint", version.id(), &topic_guid(group), &x]);
    let doc = format!(
        "{XML_DECL}<VisualizationInfo {XSI} xsi:noNamespaceSchemaLocation=\"visinfo.xsd\" Guid=\"{guid}\">\n{x}</VisualizationInfo>\n"
    );
    (guid, doc)
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
