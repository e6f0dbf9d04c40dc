//! Every archive and markup file of the buildingSMART test cases (`../shared/bcf/*/test-cases`)
//! reads without error, and what they hold comes out.

mod common;

use plumbline_bcf::read;
use plumbline_review::Status;
use std::collections::BTreeMap;

#[test]
fn every_shared_test_case_reads() {
    let Some(corpus) = common::corpus() else { return };
    let mut files = Vec::new();
    for version in ["2_1", "3_0"] {
        let dir = corpus.join(version).join("test-cases");
        let Ok(list) = std::fs::read_dir(&dir) else {
            println!("NOTICE: {} not found; skipped", dir.display());
            continue;
        };
        files.extend(list.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()));
    }
    files.sort();
    let (mut archives, mut bare, mut topics, mut comments, mut viewpoints, mut components) =
        (0, 0, 0, 0, 0, 0);
    let mut warnings = Vec::new();
    let mut versions: BTreeMap<String, usize> = BTreeMap::new();
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).expect("read test case");
        match read(&bytes) {
            Ok(a) => {
                if bytes.starts_with(b"PK") {
                    archives += 1;
                } else {
                    bare += 1;
                }
                *versions.entry(a.version.clone().unwrap_or_else(|| "none".into())).or_default() += 1;
                assert!(!a.topics.is_empty(), "{}: no topic", path.display());
                warnings.extend(a.warnings.iter().map(|w| format!("{}: {w}", path.display())));
                for t in &a.topics {
                    topics += 1;
                    comments += t.comments.len();
                    viewpoints += t.viewpoints.len();
                    components += t.viewpoints.iter().map(|v| v.component_ids().len()).sum::<usize>();
                    let raw = t.status_raw.clone().unwrap_or_else(|| "(none)".into());
                    *statuses.entry(raw).or_default() += 1;
                    assert!(!t.guid.is_empty(), "{}: topic without GUID", path.display());
                }
            }
            Err(e) => failures.push(format!("{}: {e}", path.display())),
        }
    }
    println!(
        "BCF test cases: {} files ({archives} archives, {bare} bare markup files), {topics} topics, \
         {comments} comments, {viewpoints} viewpoints, {components} selected or coloured components",
        files.len()
    );
    println!("versions: {versions:?}");
    println!("{} warnings:\n{}", warnings.len(), warnings.join("\n"));
    println!("statuses: {statuses:?}");
    assert!(failures.is_empty(), "test cases that do not read:\n{}", failures.join("\n"));
    assert!(files.len() >= 100, "expected the full corpus, found {} files", files.len());
}

#[test]
fn test_case_details_come_out() {
    let Some(corpus) = common::corpus() else { return };
    let open = |rel: &str| {
        let path = corpus.join(rel);
        read(&std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).expect("read")
    };
    // BCF 3.0 labels, comments and a viewpoint with visibility exceptions.
    let a = open("3_0/test-cases/v3.0__Markup__Labels__Labels.bcf");
    assert_eq!(a.version.as_deref(), Some("3.0"));
    let t = &a.topics[0];
    assert_eq!(t.guid, "bee19eb8-3ec0-4e0d-90df-52afc806beaf");
    assert_eq!(t.labels, vec!["Architects"]);
    assert_eq!((t.status_raw.as_deref(), t.status), (Some("Open"), Some(Status::Active)));
    assert_eq!(t.comments.len(), 1);
    assert_eq!(t.comments[0].author.as_deref(), Some("Architect@example.com"));
    assert_eq!(t.comments[0].text, "Here is a viewpoint also");
    assert_eq!(t.comments[0].viewpoint.as_deref(), Some("064ad3a0-f778-4b7a-b928-614ab5e27d90"));
    let vp = &t.viewpoints[0];
    assert_eq!(vp.default_visibility, Some(true));
    assert_eq!(vp.visibility_exceptions.len(), 2);
    assert!(vp.snapshot.as_deref().is_some_and(|s| s.ends_with(".png")));
    assert!(vp.camera.is_some());

    // BCF 2.0 with uppercase GUIDs, labels repeated, comments under the markup.
    let a = open("2_1/test-cases/v2__Markup__MaximumInformation.bcfzip");
    let t = a.topics.iter().find(|t| t.guid == "63e78882-7c6a-4bf7-8982-fc478afb9c97").expect("topic");
    assert_eq!(t.labels, vec!["Structural", "IT Development"]);
    assert_eq!(t.priority.as_deref(), Some("High"));
    assert_eq!(t.files, vec!["IfcPile_01.ifc"]);
    assert!(t.comments.len() >= 3);
    assert_eq!(t.viewpoints.len(), 3);

    // BCF 2.0 component colouring with attributes on the components.
    let a = open("3_0/test-cases/v2.0__Visualization__ComponentColoring__ComponentColoring.bcfzip");
    let vp = &a.topics[0].viewpoints[0];
    assert_eq!(vp.colored, vec![("FF00FF00".to_string(), vec![component("1mrgg_O_bBBv_tvdtVwK59")])]);
    assert_eq!(vp.guid.as_deref(), Some("812da616-a239-404d-adeb-66dc69fa7cf1"));

    // BCF 2.1 selection.
    let a = open("2_1/test-cases/v2.1__Visualization__Component_Selection__Component_Selection.bcf");
    assert!(!a.topics[0].viewpoints[0].selected.is_empty());
}

fn component(guid: &str) -> plumbline_bcf::Component {
    plumbline_bcf::Component { ifc_guid: Some(guid.into()), authoring_tool_id: None }
}

/// Corrupted copies of the real archives (bytes flipped in the markup and viewpoint data) are
/// errors or readings, never panics.
#[test]
fn corrupted_test_cases_never_panic() {
    let Some(corpus) = common::corpus() else { return };
    let dir = corpus.join("3_0").join("test-cases");
    let Ok(list) = std::fs::read_dir(&dir) else { return };
    let mut paths: Vec<_> = list.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    paths.sort();
    let (mut reads, mut errors) = (0, 0);
    for path in paths {
        let bytes = std::fs::read(&path).expect("read");
        // Small archives only, and every 29th byte of their first 8 KiB.
        if bytes.len() > 200 << 10 {
            continue;
        }
        for i in (0..bytes.len().min(8192)).step_by(29) {
            let mut b = bytes.clone();
            b[i] = b[i].wrapping_add(0x41);
            match read(&b) {
                Err(plumbline_bcf::BcfError::Internal(p)) => {
                    panic!("{} byte {i}: panic: {p}", path.display())
                }
                Err(_) => errors += 1,
                Ok(_) => reads += 1,
            }
        }
    }
    println!("corrupted copies: {reads} read, {errors} refused, no panic");
}
