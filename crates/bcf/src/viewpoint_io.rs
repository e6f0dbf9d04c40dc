//! Saved views as BCF topics, and the parts of a viewpoint that only views need.
//!
//! A clash export ([`write`](crate::write())) describes a viewpoint by the clash group it shows;
//! a saved view of the viewer is described by what the reviewer set up: the camera (perspective
//! or orthogonal), the selected elements, the elements hidden or shown against a default, the
//! elements drawn in colours of their own, and the clipping planes of a section box. [`write_views`] writes one topic per view, with its
//! snapshot; the reader ([`read`](crate::read())) returns the orthogonal camera and the
//! clipping planes of every viewpoint (parsed here, for [`crate::Viewpoint`]).
//! The output is byte-identical for the same views and options, and validates against the
//! official schemas of BCF 2.1 and 3.0 (`tests/views.rs` runs `xmllint`).

use crate::write::{
    archive_entry_options, clean, component, esc, file_name, is_guid, num, png_aspect, version_xml, xyz,
    DEFAULT_ASPECT_RATIO, STATUSES, XML_DECL, XSI,
};
use crate::{BcfError, BcfVersion, UtcDateTime};
use plumbline_review::{stable_uuid, Camera};
use plumbline_xml::Element;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;

/// The topic type of a saved view.
pub const VIEW_TOPIC_TYPE: &str = "Issue";

/// The status a saved view's topic is written with (one of [`STATUSES`]).
const VIEW_STATUS: &str = "Active";

/// A clipping plane in world metres: the plane through `location` whose normal `direction`
/// points to the side that is cut away (BCF's convention).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClippingPlane {
    pub location: [f64; 3],
    pub direction: [f64; 3],
}

/// An orthogonal (parallel) camera in world metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrthogonalCamera {
    pub position: [f64; 3],
    /// Unit view direction.
    pub direction: [f64; 3],
    /// Unit up vector.
    pub up: [f64; 3],
    /// The height of the view in metres (`ViewToWorldScale`).
    pub view_to_world_scale: f64,
}

/// The camera of a saved view.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ViewCamera {
    Perspective(Camera),
    Orthogonal(OrthogonalCamera),
}

/// One saved view, written as a topic of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewTopic {
    /// The topic GUID; a text that is not a GUID is replaced by one derived from it, so the
    /// same view keeps its topic across exports.
    pub guid: String,
    pub title: String,
    /// The topic's description (empty: none is written).
    pub description: String,
    /// When the view was saved; `None`: the export's date.
    pub created: Option<UtcDateTime>,
    pub camera: ViewCamera,
    /// GlobalIds of the selected elements.
    pub selected: Vec<String>,
    /// Whether elements not listed in `visibility_exceptions` are shown.
    pub default_visibility: bool,
    /// GlobalIds of the elements whose visibility is the opposite of the default.
    pub visibility_exceptions: Vec<String>,
    /// Elements drawn in a colour of their own: the colour as BCF writes it (`RRGGBB`, or
    /// `AARRGGBB` with the alpha first), and their GlobalIds. A colour that is not 6 or 8
    /// hexadecimal digits, or that has no element, is left out.
    pub colored: Vec<(String, Vec<String>)>,
    pub clipping_planes: Vec<ClippingPlane>,
    /// The model files the view is of (file names or paths; the header lists their names).
    pub files: Vec<String>,
    /// The view as a PNG image, or `None` to write the topic without a snapshot.
    pub snapshot: Option<Vec<u8>>,
}

/// How to write saved views.
#[derive(Debug, Clone, Copy)]
pub struct ViewExportOptions<'a> {
    pub version: BcfVersion,
    /// The topics' `CreationAuthor` (not blank).
    pub author: &'a str,
    /// The zip entries' modification time, and the creation date of views without their own.
    pub date_utc: UtcDateTime,
}

/// Writes saved views as a BCF archive: `bcf.version`, for 3.0 `extensions.xml`, and per view a
/// folder named by its topic GUID with `markup.bcf`, `viewpoint.bcfv` and, when the view has
/// one, `snapshot.png`.
pub fn write_views(views: &[ViewTopic], options: &ViewExportOptions<'_>) -> Result<Vec<u8>, BcfError> {
    let author = clean(options.author).trim().to_string();
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
        put("extensions.xml", extensions_xml(&author).as_bytes())?;
    }
    let mut seen = BTreeSet::new();
    for view in views {
        let guid = topic_guid(view);
        if !seen.insert(guid.clone()) {
            return Err(BcfError::DuplicateTopic(guid));
        }
        let aspect = match &view.snapshot {
            Some(png) => png_aspect(&view.title, png, v3)?,
            None => DEFAULT_ASPECT_RATIO,
        };
        let (vp_guid, visinfo) = visinfo_xml(options.version, &guid, view, aspect);
        let markup = markup_xml(options, &author, view, &guid, &vp_guid);
        put(&format!("{guid}/markup.bcf"), markup.as_bytes())?;
        put(&format!("{guid}/viewpoint.bcfv"), visinfo.as_bytes())?;
        if let Some(png) = &view.snapshot {
            put(&format!("{guid}/snapshot.png"), png)?;
        }
    }
    let cursor = zip.finish().map_err(BcfError::Write)?;
    Ok(cursor.into_inner())
}

/// The topic GUID of a view: its own when it is one, else one derived from it.
fn topic_guid(view: &ViewTopic) -> String {
    let g = view.guid.trim().to_ascii_lowercase();
    if is_guid(&g) {
        g
    } else {
        stable_uuid(&["plumbline-bcf-view", &view.guid, &view.title])
    }
}

fn extensions_xml(author: &str) -> String {
    let mut x = format!("{XML_DECL}<Extensions {XSI} xsi:noNamespaceSchemaLocation=\"extensions.xsd\">\n");
    let _ = writeln!(x, "  <TopicTypes>\n    <TopicType>{VIEW_TOPIC_TYPE}</TopicType>\n  </TopicTypes>");
    x.push_str("  <TopicStatuses>\n");
    for s in STATUSES {
        let _ = writeln!(x, "    <TopicStatus>{s}</TopicStatus>");
    }
    x.push_str("  </TopicStatuses>\n");
    let _ = writeln!(x, "  <Users>\n    <User>{}</User>\n  </Users>", esc(author));
    x.push_str("</Extensions>\n");
    x
}

fn markup_xml(
    options: &ViewExportOptions<'_>,
    author: &str,
    view: &ViewTopic,
    guid: &str,
    vp_guid: &str,
) -> String {
    let v3 = options.version == BcfVersion::V3_0;
    let files: BTreeSet<&str> =
        view.files.iter().map(|f| file_name(f)).filter(|f| !f.trim().is_empty()).collect();
    let title = Some(clean(&view.title).trim().to_string()).filter(|t| !t.is_empty());
    let title = title.unwrap_or_else(|| guid.to_string());
    let date = view.created.unwrap_or(options.date_utc).to_string();
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
    let _ = writeln!(
        x,
        "  <Topic Guid=\"{guid}\" TopicType=\"{VIEW_TOPIC_TYPE}\" TopicStatus=\"{VIEW_STATUS}\">"
    );
    let _ = writeln!(x, "    <Title>{}</Title>", esc(&title));
    let _ = writeln!(x, "    <CreationDate>{date}</CreationDate>");
    let _ = writeln!(x, "    <CreationAuthor>{}</CreationAuthor>", esc(author));
    let description = clean(&view.description).trim().to_string();
    if !description.is_empty() {
        let _ = writeln!(x, "    <Description>{}</Description>", esc(&description));
    }
    let snapshot = if view.snapshot.is_some() { "<Snapshot>snapshot.png</Snapshot>" } else { "" };
    if v3 {
        let _ = writeln!(
            x,
            "    <Viewpoints>\n      <ViewPoint Guid=\"{vp_guid}\"><Viewpoint>viewpoint.bcfv</Viewpoint>{snapshot}</ViewPoint>\n    </Viewpoints>"
        );
        x.push_str("  </Topic>\n");
    } else {
        x.push_str("  </Topic>\n");
        let _ = writeln!(
            x,
            "  <Viewpoints Guid=\"{vp_guid}\"><Viewpoint>viewpoint.bcfv</Viewpoint>{snapshot}</Viewpoints>"
        );
    }
    x.push_str("</Markup>\n");
    x
}

/// A set of GlobalIds, trimmed, without blanks, sorted.
fn ids(list: &[String]) -> BTreeSet<&str> {
    list.iter().map(|g| g.trim()).filter(|g| !g.is_empty()).collect()
}

/// The view's `viewpoint.bcfv` and its GUID, derived from the topic and the content (BCF 3.0
/// viewpoints are immutable: a changed view gets a new viewpoint GUID).
fn visinfo_xml(version: BcfVersion, topic_guid: &str, view: &ViewTopic, aspect: f64) -> (String, String) {
    let v3 = version == BcfVersion::V3_0;
    let hints = "<ViewSetupHints SpacesVisible=\"false\" SpaceBoundariesVisible=\"false\" OpeningsVisible=\"false\"/>";
    let mut x = String::from("  <Components>\n");
    if !v3 {
        let _ = writeln!(x, "    {hints}");
    }
    let selected = ids(&view.selected);
    if !selected.is_empty() {
        x.push_str("    <Selection>\n");
        for g in &selected {
            let _ = writeln!(x, "      {}", component(g));
        }
        x.push_str("    </Selection>\n");
    }
    let exceptions = ids(&view.visibility_exceptions);
    let _ = writeln!(x, "    <Visibility DefaultVisibility=\"{}\">", view.default_visibility);
    if v3 {
        let _ = writeln!(x, "      {hints}");
    }
    if !exceptions.is_empty() {
        x.push_str("      <Exceptions>\n");
        for g in &exceptions {
            let _ = writeln!(x, "        {}", component(g));
        }
        x.push_str("      </Exceptions>\n");
    }
    x.push_str("    </Visibility>\n");
    coloring_xml(&mut x, &view.colored, v3);
    x.push_str("  </Components>\n");
    let aspect = if aspect.is_finite() && aspect > 0.0 { aspect } else { DEFAULT_ASPECT_RATIO };
    match &view.camera {
        ViewCamera::Perspective(c) => {
            // BCF 2.1 limits the field of view to 45–60 degrees; 3.0 to (0, 180).
            let fov = if v3 {
                c.field_of_view_deg.clamp(1.0, 179.0)
            } else {
                c.field_of_view_deg.clamp(45.0, 60.0)
            };
            let fov = if fov.is_finite() { fov } else { 60.0 };
            x.push_str("  <PerspectiveCamera>\n");
            let _ = writeln!(x, "    {}", xyz("CameraViewPoint", c.position));
            let _ = writeln!(x, "    {}", xyz("CameraDirection", c.direction));
            let _ = writeln!(x, "    {}", xyz("CameraUpVector", c.up));
            let _ = writeln!(x, "    <FieldOfView>{}</FieldOfView>", num(fov));
            if v3 {
                let _ = writeln!(x, "    <AspectRatio>{}</AspectRatio>", num(aspect));
            }
            x.push_str("  </PerspectiveCamera>\n");
        }
        ViewCamera::Orthogonal(c) => {
            let scale = if c.view_to_world_scale.is_finite() && c.view_to_world_scale > 0.0 {
                c.view_to_world_scale
            } else {
                1.0
            };
            x.push_str("  <OrthogonalCamera>\n");
            let _ = writeln!(x, "    {}", xyz("CameraViewPoint", c.position));
            let _ = writeln!(x, "    {}", xyz("CameraDirection", c.direction));
            let _ = writeln!(x, "    {}", xyz("CameraUpVector", c.up));
            let _ = writeln!(x, "    <ViewToWorldScale>{}</ViewToWorldScale>", num(scale));
            if v3 {
                let _ = writeln!(x, "    <AspectRatio>{}</AspectRatio>", num(aspect));
            }
            x.push_str("  </OrthogonalCamera>\n");
        }
    }
    if !view.clipping_planes.is_empty() {
        x.push_str("  <ClippingPlanes>\n");
        for p in &view.clipping_planes {
            let _ = writeln!(
                x,
                "    <ClippingPlane>{}{}</ClippingPlane>",
                xyz("Location", p.location),
                xyz("Direction", p.direction)
            );
        }
        x.push_str("  </ClippingPlanes>\n");
    }
    let guid = stable_uuid(&["plumbline-bcf-view-viewpoint", version.id(), topic_guid, &x]);
    let doc = format!(
        "{XML_DECL}<VisualizationInfo {XSI} xsi:noNamespaceSchemaLocation=\"visinfo.xsd\" Guid=\"{guid}\">\n{x}</VisualizationInfo>\n"
    );
    (guid, doc)
}

/// A colour as BCF's schemas accept it (upper-case hexadecimal, 6 or 8 digits), or `None`.
fn bcf_colour(text: &str) -> Option<String> {
    let t = text.trim().trim_start_matches('#').to_ascii_uppercase();
    ((t.len() == 6 || t.len() == 8) && t.bytes().all(|b| b.is_ascii_hexdigit())).then_some(t)
}

/// The `<Coloring>` of a viewpoint: one `<Color>` per colour, its elements sorted; colours
/// given twice are merged, and nothing is written when no colour has an element.
fn coloring_xml(x: &mut String, colored: &[(String, Vec<String>)], v3: bool) {
    let mut by_colour: std::collections::BTreeMap<String, BTreeSet<&str>> = Default::default();
    for (colour, elements) in colored {
        let Some(colour) = bcf_colour(colour) else { continue };
        let elements = ids(elements);
        if !elements.is_empty() {
            by_colour.entry(colour).or_default().extend(elements);
        }
    }
    if by_colour.is_empty() {
        return;
    }
    x.push_str("    <Coloring>\n");
    for (colour, elements) in &by_colour {
        let _ = writeln!(x, "      <Color Color=\"{colour}\">");
        if v3 {
            x.push_str("        <Components>\n");
        }
        for g in elements {
            let _ = writeln!(x, "        {}", component(g));
        }
        if v3 {
            x.push_str("        </Components>\n");
        }
        x.push_str("      </Color>\n");
    }
    x.push_str("    </Coloring>\n");
}

/// A point or direction (`<X>`, `<Y>`, `<Z>`), when all three are finite numbers.
fn point(n: Option<&Element>) -> Option<[f64; 3]> {
    let n = n?;
    let v = |k: &str| n.text_of_ignore_case(k).and_then(|t| t.parse::<f64>().ok()).filter(|x| x.is_finite());
    Some([v("X")?, v("Y")?, v("Z")?])
}

/// The orthogonal camera of a viewpoint file's root, when it has a complete one.
pub(crate) fn orthogonal_camera(root: &Element) -> Option<OrthogonalCamera> {
    let c = root.child_ignore_case("OrthogonalCamera")?;
    let scale = c
        .text_of_ignore_case("ViewToWorldScale")
        .and_then(|t| t.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)?;
    Some(OrthogonalCamera {
        position: point(c.child_ignore_case("CameraViewPoint"))?,
        direction: point(c.child_ignore_case("CameraDirection"))?,
        up: point(c.child_ignore_case("CameraUpVector"))?,
        view_to_world_scale: scale,
    })
}

/// The clipping planes of a viewpoint file's root; a plane without a finite location and a
/// non-zero direction is left out.
pub(crate) fn clipping_planes(root: &Element) -> Vec<ClippingPlane> {
    let Some(planes) = root.child_ignore_case("ClippingPlanes") else { return Vec::new() };
    planes
        .all_ignore_case("ClippingPlane")
        .filter_map(|p| {
            let location = point(p.child_ignore_case("Location"))?;
            let direction = point(p.child_ignore_case("Direction"))?;
            (direction.iter().any(|c| *c != 0.0)).then_some(ClippingPlane { location, direction })
        })
        .collect()
}
