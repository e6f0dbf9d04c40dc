//! Whole-model tests: determinism, file well-formedness, counts, and the independent
//! brute-force verification of the truth.

use std::collections::{BTreeMap, BTreeSet};

use crate::build::{Phase, Record, TaskDef};
use crate::geom::Facing;
use crate::scan::{self, Model, Val};
use crate::{
    branch, check, datacenter, BranchLayout, BranchParams, DatacenterParams, Generated, Lang, Truth,
    BRANCH_TESTS, DATACENTER_TESTS,
};

/// Physical element entity keywords, as a simple text scan sees them.
const ELEMENT_CLASSES: &[&str] = &[
    "IFCCOLUMN",
    "IFCBEAM",
    "IFCSLAB",
    "IFCWALL",
    "IFCPLATE",
    "IFCCOVERING",
    "IFCDOOR",
    "IFCFURNITURE",
    "IFCBUILDINGELEMENTPROXY",
    "IFCCABLECARRIERSEGMENT",
    "IFCCABLECARRIERFITTING",
    "IFCCABLESEGMENT",
    "IFCDUCTSEGMENT",
    "IFCDUCTFITTING",
    "IFCPIPESEGMENT",
    "IFCPIPEFITTING",
    "IFCUNITARYEQUIPMENT",
    "IFCELECTRICDISTRIBUTIONBOARD",
    "IFCELECTRICFLOWSTORAGEDEVICE",
    "IFCFIRESUPPRESSIONTERMINAL",
    "IFCLIGHTFIXTURE",
    "IFCAIRTERMINAL",
    "IFCPROTECTIVEDEVICE",
];

/// Counts `=NAME(` occurrences per entity keyword, independent of the generator.
fn counts(ifc: &str) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for line in ifc.lines() {
        if let Some((_, rest)) = line.split_once('=') {
            if let Some(open) = rest.find('(') {
                *m.entry(rest[..open].to_owned()).or_insert(0) += 1;
            }
        }
    }
    m
}

pub(crate) fn element_count(ifc: &str) -> usize {
    let c = counts(ifc);
    // Insulation coverings have no body: they are written beside their host, not as elements
    // of their own (see `extras::insulate`).
    let insulation =
        ifc.lines().filter(|l| l.contains("=IFCCOVERING(") && l.ends_with(".INSULATION.);")).count();
    ELEMENT_CLASSES.iter().map(|k| c.get(*k).copied().unwrap_or(0)).sum::<usize>() - insulation
}

use crate::build::Internals;

pub(crate) fn dc_full(p: &DatacenterParams) -> (Generated, Internals) {
    let (ifc, truth, internals) = datacenter::generate(p, true);
    (Generated { ifc, truth }, internals.expect("records were requested"))
}

pub(crate) fn branch_full(p: &BranchParams, layout: &BranchLayout) -> (Generated, Internals) {
    let (ifc, truth, internals) = branch::generate(p, layout, true);
    (Generated { ifc, truth }, internals.expect("records were requested"))
}

#[test]
fn datacenter_is_deterministic_and_seeded() {
    let p = DatacenterParams::default();
    let a = crate::datacenter(&p);
    let b = crate::datacenter(&p);
    assert_eq!(a.ifc, b.ifc);
    assert_eq!(a.truth, b.truth);
    let c = crate::datacenter(&DatacenterParams { seed: 2, ..p });
    assert_ne!(a.ifc, c.ifc);
    assert_ne!(a.truth, c.truth);
}

#[test]
fn branch_is_deterministic_and_seeded() {
    let p = BranchParams::default();
    let a = crate::branch(&p);
    assert_eq!(a.ifc, crate::branch(&p).ifc);
    assert_ne!(a.ifc, crate::branch(&BranchParams { seed: 9, ..p }).ifc);
}

#[test]
fn element_ids_are_stable_across_sizes() {
    let small = crate::datacenter(&DatacenterParams::default());
    let big =
        crate::datacenter(&DatacenterParams { halls: 2, rows: 6, racks_per_row: 12, ..Default::default() });
    let ids = |g: &Generated| -> BTreeSet<String> {
        let m = scan::parse(&g.ifc).expect("parses");
        m.values()
            .filter(|e| e.name == "IFCFURNITURE")
            .filter_map(|e| e.args[0].as_str().map(str::to_owned))
            .collect()
    };
    let (a, b) = (ids(&small), ids(&big));
    // Every rack of the small model (rows 1-4, racks 1-8 of hall 1) keeps its GlobalId.
    assert!(a.len() > 30);
    assert!(a.is_subset(&b), "{} of {} racks changed id", a.difference(&b).count(), a.len());
}

fn check_file(ifc: &str) {
    assert!(ifc.starts_with("ISO-10303-21;\nHEADER;\n"));
    assert!(ifc.contains("FILE_SCHEMA(('IFC4'));"));
    assert!(ifc.ends_with("ENDSEC;\nEND-ISO-10303-21;\n"));
    assert!(ifc.is_ascii(), "STEP text must be ASCII");
    let ents = scan::parse(ifc).expect("every entity parses");
    for r in scan::references(ifc) {
        assert!(ents.contains_key(&r), "#{r} is referenced but not defined");
    }
    // Ids run consecutively from 1.
    assert_eq!(ents.keys().next_back().copied(), Some(ents.len() as u32));
    // Every rooted entity (it references the owner history) has a unique 22-char GlobalId.
    let oh =
        ents.iter().find(|(_, e)| e.name == "IFCOWNERHISTORY").map(|(id, _)| *id).expect("owner history");
    let mut seen = BTreeSet::new();
    for e in ents.values().filter(|e| e.args.get(1) == Some(&Val::Ref(oh))) {
        let g = e.args[0].as_str().expect("GlobalId is a string");
        assert_eq!(g.len(), 22, "{g}");
        assert!(g.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'$'));
        assert!(seen.insert(g.to_owned()), "duplicate GlobalId {g} on {}", e.name);
    }
    for unit in [
        "LENGTHUNIT.,$,.METRE.",
        "AREAUNIT.,$,.SQUARE_METRE.",
        "VOLUMEUNIT.,$,.CUBIC_METRE.",
        "PLANEANGLEUNIT.,$,.RADIAN.",
    ] {
        assert!(ifc.contains(unit), "{unit}");
    }
}

#[test]
fn datacenter_file_is_well_formed() {
    check_file(&crate::datacenter(&DatacenterParams::default()).ifc);
    check_file(&crate::datacenter(&DatacenterParams { lang: Lang::Zh, rows: 3, ..Default::default() }).ifc);
}

#[test]
fn branch_file_is_well_formed() {
    check_file(&crate::branch(&BranchParams::default()).ifc);
    check_file(&crate::branch(&BranchParams { lang: Lang::Zh, ..Default::default() }).ifc);
}

#[test]
fn default_datacenter_counts() {
    let g = crate::datacenter(&DatacenterParams::default());
    let c = counts(&g.ifc);
    let n = |k: &str| c.get(k).copied().unwrap_or(0);
    // 4 rows x 8 racks, plus one duplicate and four racks at the rows' east end (issue 21's
    // aisle-width seeds).
    assert_eq!(n("IFCFURNITURE"), 37);
    assert_eq!(n("IFCMAPPEDITEM"), 33);
    assert_eq!(n("IFCREPRESENTATIONMAP"), 1);
    // Two PDUs per row, two switchboards.
    assert_eq!(n("IFCELECTRICDISTRIBUTIONBOARD"), 10);
    assert_eq!(n("IFCELECTRICFLOWSTORAGEDEVICE"), 2);
    assert_eq!(n("IFCUNITARYEQUIPMENT"), 2);
    assert_eq!(n("IFCSLAB"), 2);
    assert_eq!(n("IFCWALL"), 5);
    assert_eq!(n("IFCOPENINGELEMENT"), 1);
    assert_eq!(n("IFCRELVOIDSELEMENT"), 1);
    assert_eq!(n("IFCRELFILLSELEMENT"), 1);
    // The electrical room door plus two containment doors per cold aisle.
    assert_eq!(n("IFCDOOR"), 5);
    // The raised floor and two insulation coverings.
    assert_eq!(n("IFCCOVERING"), 3);
    assert_eq!(n("IFCRELCOVERSBLDGELEMENTS"), 2);
    assert_eq!(n("IFCSPACE"), 2);
    assert_eq!(n("IFCBUILDINGSTOREY"), 1);
    // Scaffolds and cabinets, three of them at the electrical-room door (issue 21).
    assert_eq!(n("IFCBUILDINGELEMENTPROXY"), 9);
    assert_eq!(n("IFCWORKSCHEDULE"), 1);
    assert_eq!(n("IFCTASK"), 10);
    assert_eq!(n("IFCTASKTIME"), 10);
    assert_eq!(n("IFCRELSEQUENCE"), 7);
    assert_eq!(n("IFCRELNESTS"), 2);
    assert_eq!(n("IFCDISTRIBUTIONSYSTEM"), 9);
    assert_eq!(n("IFCAIRTERMINAL"), 0);
    // 272 before issue 21, which seeds 20: three insulated branches, six trays, a head with
    // three obstructions, four racks, three cabinets.
    assert_eq!(element_count(&g.ifc), 292);
}

#[test]
fn default_branch_counts() {
    let g = crate::branch(&BranchParams::default());
    let c = counts(&g.ifc);
    let n = |k: &str| c.get(k).copied().unwrap_or(0);
    assert_eq!(n("IFCSPACE"), 9);
    // Issue 21 adds a brochure stand and a bench in front of the ATMs, and three planters
    // and a bicycle rack (proxies) in the lobby and outside the entrances.
    assert_eq!(n("IFCFURNITURE"), 4 + 3 + 1 + 2 + 5 + 1 + 4 + 2);
    assert_eq!(n("IFCBUILDINGELEMENTPROXY"), 2 + 4);
    assert_eq!(n("IFCCOVERING"), 8);
    assert_eq!(n("IFCELECTRICDISTRIBUTIONBOARD"), 1);
    assert_eq!(n("IFCELECTRICFLOWSTORAGEDEVICE"), 1);
    assert_eq!(n("IFCTASK"), 9);
    assert!(n("IFCDOOR") >= 10);
    assert!(n("IFCOPENINGELEMENT") >= 10);
}

#[test]
fn chinese_names_use_x2_encoding() {
    let g = crate::datacenter(&DatacenterParams { lang: Lang::Zh, ..Default::default() });
    assert!(g.ifc.contains(&format!("'{}'", crate::step_string("一层"))));
    assert!(g.ifc.contains(&crate::step_string("机房 1")));
    assert!(g.ifc.contains("IFCLABEL('SERVER RACK')") || g.ifc.contains("'SERVER RACK'"));
    let b = crate::branch(&BranchParams { lang: Lang::Zh, ..Default::default() });
    for s in ["营业厅", "金库", "金库门", "保管箱室", "自助银行"] {
        assert!(b.ifc.contains(&crate::step_string(s)), "{s}");
    }
    // Round trip: the scanner decodes names back to the original text.
    let m = scan::parse(&b.ifc).expect("parses");
    assert!(m.values().any(|e| e.name == "IFCSPACE" && e.args[2].as_str() == Some("金库")));
}

#[test]
fn truth_serialises_to_json_and_back() {
    let t = crate::datacenter(&DatacenterParams::default()).truth;
    let back: Truth = serde_json::from_str(&t.to_json()).expect("valid JSON");
    assert_eq!(back, t);
}

/// Checks the generator's records against the geometry, phases and schedule parsed back
/// from the text, so the brute-force check below runs on what the file really says.
fn records_match_file(ifc: &str, recs: &[Record], tasks: &[TaskDef]) {
    let model = Model { ents: scan::parse(ifc).expect("parses") };
    let mut by_guid = BTreeMap::new();
    for (id, e) in &model.ents {
        if let Some(g) = e.args.first().and_then(Val::as_str) {
            if g.len() == 22 {
                by_guid.insert(g.to_owned(), *id);
            }
        }
    }
    // Temporary flags and task windows as the file states them.
    let mut temporary = BTreeSet::new();
    let mut windows: BTreeMap<u32, (i64, i64)> = BTreeMap::new();
    let day = |s: &str| -> i64 {
        let y = s[0..4].parse().expect("year");
        let m = s[5..7].parse().expect("month");
        let d = s[8..10].parse().expect("day");
        crate::build::days_from_civil(y, m, d)
    };
    let task_days = |task: &scan::Ent| -> (i64, i64, bool) {
        let time = model.ent(task.args[11].as_ref().expect("task time")).expect("task time defined");
        let start = day(time.args[5].as_str().expect("start"));
        let finish = day(time.args[6].as_str().expect("finish")) + 1;
        let removes = matches!(&task.args[12], Val::Enum(e) if e == "DISMANTLE" || e == "DEMOLITION");
        (start, finish, removes)
    };
    // A model written without its schedule has no tasks, and no windows to measure from them.
    let first_day =
        model.ents.values().filter(|e| e.name == "IFCTASK").map(|t| task_days(t).0).min().unwrap_or(0);
    for e in model.ents.values() {
        match e.name.as_str() {
            "IFCRELDEFINESBYPROPERTIES" => {
                let pset = model.ent(e.args[5].as_ref().expect("pset")).expect("pset defined");
                if pset.args[2].as_str() != Some("Plumbline_Phase") {
                    continue;
                }
                let is_temp = pset.args[4].as_list().iter().any(|p| {
                    let p = model.ent(p.as_ref().expect("prop")).expect("prop defined");
                    p.args[0].as_str() == Some("Temporary")
                        && matches!(&p.args[2], Val::Typed(t, v) if t == "IFCBOOLEAN" && **v == Val::Enum("T".into()))
                });
                if is_temp {
                    temporary.extend(e.args[4].as_list().iter().filter_map(Val::as_ref));
                }
            }
            "IFCRELASSIGNSTOPROCESS" => {
                let task = model.ent(e.args[6].as_ref().expect("task")).expect("task defined");
                let (s, f, removes) = task_days(task);
                for o in e.args[4].as_list().iter().filter_map(Val::as_ref) {
                    let w = windows.entry(o).or_insert((i64::MIN, i64::MAX));
                    if removes {
                        w.1 = f - first_day;
                    } else {
                        w.0 = s - first_day;
                    }
                }
            }
            _ => {}
        }
    }
    for r in recs {
        let id = by_guid[r.guid.as_str()];
        let e = model.ent(id).expect("element defined");
        assert_eq!(e.name, r.class.step(), "{:?}", r.guid);
        let (min, max, _, tf) = model.product_box(e).expect("geometry evaluates");
        assert_eq!((min, max), (r.b.min, r.b.max), "{:?} {}", r.guid, e.name);
        if let Some(f) = r.front {
            let y = tf.r[1];
            let want = match f {
                Facing::PosX => [1.0, 0.0, 0.0],
                Facing::NegX => [-1.0, 0.0, 0.0],
                Facing::PosY => [0.0, 1.0, 0.0],
                Facing::NegY => [0.0, -1.0, 0.0],
            };
            assert!(y.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-9), "{:?} front {y:?}", r.guid);
        }
        assert_eq!(temporary.contains(&id), r.phase == Phase::Temporary, "{:?}", r.guid);
        let w = windows.get(&id).copied().unwrap_or((i64::MIN, i64::MAX));
        let want =
            (r.task.map_or(i64::MIN, |t| tasks[t].start), r.end_task.map_or(i64::MAX, |t| tasks[t].end));
        assert_eq!(w, want, "{:?} window", r.guid);
    }
    assert_eq!(recs.len(), element_count(ifc));
}

pub(crate) fn verify(g: &Generated, recs: &[Record], tasks: &[TaskDef], specs: &[crate::TestSpec]) {
    verify_seeding(g, recs, tasks, specs, &[]);
}

/// [`verify`], where the tests in `unseeded` may have no seeded clash (a variant that leaves
/// out what they look at).
pub(crate) fn verify_seeding(
    g: &Generated,
    recs: &[Record],
    tasks: &[TaskDef],
    specs: &[crate::TestSpec],
    unseeded: &[&str],
) {
    check_file(&g.ifc);
    records_match_file(&g.ifc, recs, tasks);
    let operable = check::operable_heights(&g.ifc).expect("parses");
    let (found, near) = check::run(specs, recs, tasks, &operable);
    let engine_only: Vec<&str> =
        specs.iter().filter(|s| s.zone == crate::Zone::Engine).map(|s| s.name).collect();
    let problems = check::compare(&g.truth, &found, &near, &engine_only);
    for p in &problems {
        for r in recs.iter().filter(|r| p.contains(r.guid.as_str())) {
            eprintln!("DEBUG {p}: {:?} {:?} {:?}", r.class, r.otype, r.b);
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    // Every test has at least one seeded clash to find.
    for s in specs.iter().filter(|s| !unseeded.contains(&s.name)) {
        assert!(g.truth.clashes.iter().any(|c| c.test == s.name), "no clash seeded for {}", s.name);
        assert!(g.truth.clashes.iter().filter(|c| c.test == s.name).all(|c| c.kind == s.kind));
    }
}

#[test]
fn datacenter_truth_is_exact_default() {
    let (g, (recs, tasks)) = dc_full(&DatacenterParams::default());
    verify(&g, &recs, &tasks, DATACENTER_TESTS);
}

#[test]
fn datacenter_truth_is_exact_other_sizes() {
    for (seed, halls, rows, racks) in [(3, 2, 5, 13), (4, 1, 1, 1), (5, 1, 2, 3), (6, 3, 3, 20), (7, 1, 8, 2)]
    {
        let p = DatacenterParams { seed, halls, rows, racks_per_row: racks, lang: Lang::Zh };
        let (g, (recs, tasks)) = dc_full(&p);
        verify(&g, &recs, &tasks, DATACENTER_TESTS);
    }
}

#[test]
fn datacenter_truth_is_exact_seed_sweep() {
    for seed in 10..30u64 {
        let p = DatacenterParams {
            seed,
            halls: 1 + (seed % 2) as u32,
            rows: 1 + (seed % 7) as u32,
            racks_per_row: 1 + (seed * 5 % 17) as u32,
            lang: Lang::En,
        };
        let (g, (recs, tasks)) = dc_full(&p);
        verify(&g, &recs, &tasks, DATACENTER_TESTS);
    }
}

#[test]
fn branch_truth_is_exact() {
    for seed in [1, 2, 3] {
        let (g, (recs, tasks)) =
            branch_full(&BranchParams { seed, lang: Lang::En }, &BranchLayout::default());
        verify(&g, &recs, &tasks, BRANCH_TESTS);
    }
}

/// Variants a portfolio draws: sizes, plans without the vault or the ATM lobby, mirrored,
/// turned and moved plans, and models without their schedule.
fn branch_variants() -> Vec<(BranchParams, BranchLayout)> {
    let d = BranchLayout::default();
    let p = |seed, lang| BranchParams { seed, lang };
    vec![
        (p(11, Lang::En), BranchLayout { bays: 4, ..d.clone() }),
        (p(12, Lang::En), BranchLayout { bays: 6, mirrored: true, ..d.clone() }),
        (
            p(13, Lang::Zh),
            BranchLayout { bays: 9, quarter_turns: 1, origin_mm: [-125_000, 48_000], ..d.clone() },
        ),
        (p(14, Lang::En), BranchLayout { vault: false, atm_lobby: false, quarter_turns: 2, ..d.clone() }),
        (
            p(15, Lang::En),
            BranchLayout {
                bays: 5,
                vault: false,
                schedule: false,
                mirrored: true,
                quarter_turns: 3,
                ..d.clone()
            },
        ),
        (
            p(16, Lang::En),
            BranchLayout { atm_lobby: false, schedule: false, origin_mm: [2_000_000, -750_000], ..d.clone() },
        ),
        (p(17, Lang::En), BranchLayout { bays: BranchLayout::MAX_BAYS, ..d.clone() }),
    ]
}

#[test]
fn branch_variant_truth_is_exact() {
    for (p, layout) in branch_variants() {
        let (g, (recs, tasks)) = branch_full(&p, &layout);
        let unseeded: &[&str] = if layout.atm_lobby { &[] } else { &[crate::ACCESSIBLE_CLEAR_FLOOR] };
        verify_seeding(&g, &recs, &tasks, BRANCH_TESTS, unseeded);
        assert_eq!(g.ifc.contains("IFCTASK("), layout.schedule, "{layout:?}");
    }
}

#[test]
fn default_layout_is_the_sample() {
    // The committed samples (sample_models/regenerate.sh) are the default layout's output.
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample_models");
    for (lang, name) in [(Lang::En, "bank-branch"), (Lang::Zh, "bank-branch-zh")] {
        let g = crate::branch_variant(&BranchParams { seed: 1, lang }, &BranchLayout::default());
        let read =
            |ext: &str| std::fs::read_to_string(shipped.join(format!("{name}.{ext}"))).expect("shipped");
        assert!(g.ifc == read("ifc"), "{name}.ifc differs from the default layout's");
        assert_eq!(serde_json::to_string_pretty(&g.truth).expect("json") + "\n", read("truth.json"));
    }
    let p = BranchParams::default();
    assert_eq!(crate::branch(&p).ifc, crate::branch_variant(&p, &BranchLayout::default()).ifc);
    // Bays beyond the range are clamped, not refused.
    let few = crate::branch_variant(&p, &BranchLayout { bays: 0, ..Default::default() });
    assert_eq!(few.ifc, crate::branch(&p).ifc);
}

#[test]
fn branch_sizes_grow_with_bays() {
    let p = BranchParams::default();
    let n =
        |bays| element_count(&crate::branch_variant(&p, &BranchLayout { bays, ..Default::default() }).ifc);
    let (three, four, eight) = (n(3), n(4), n(8));
    assert!(three < four && four < eight, "{three} {four} {eight}");
    assert!(eight >= 2 * three, "{three} {eight}");
}

#[test]
fn truth_distances_are_the_documented_ones() {
    let t = crate::datacenter(&DatacenterParams::default()).truth;
    let d = |test: &str| -> Vec<f64> {
        t.clashes.iter().filter(|c| c.test == test).map(|c| c.distance_m).collect()
    };
    assert_eq!(d(crate::TRAYS_VS_DUCTS), [0.05]);
    assert_eq!(d(crate::PIPES_VS_STRUCTURE), [0.015]);
    assert_eq!(d(crate::DUCTS_VS_STRUCTURE), [0.24]);
    assert_eq!(d(crate::TRAY_ACCESS), [0.2]);
    assert_eq!(d(crate::SPRINKLER_CLEARANCE), [0.3]);
    assert_eq!(d(crate::ELECTRICAL_WORKING_SPACE), [0.5]);
    assert_eq!(d(crate::RACK_SERVICE), [0.4]);
    assert_eq!(d(crate::DUPLICATES), [0.0, 0.0]);
    assert_eq!(d(crate::TEMPORARY_VS_PERMANENT), [0.2]);
    assert!(t.non_clashes.len() >= 8);
}

#[test]
fn for_elements_matches_the_documented_parameters() {
    let p = DatacenterParams::for_elements(1_000_000, 1);
    assert_eq!((p.halls, p.rows, p.racks_per_row), (24, 40, 192));
    let p = DatacenterParams::for_elements(10_000, 1);
    assert_eq!((p.halls, p.rows, p.racks_per_row), (1, 19, 94));
}

#[test]
fn for_elements_hits_the_target_roughly() {
    for target in [1_000u64, 10_000, 50_000] {
        let p = DatacenterParams::for_elements(target, 1);
        let n = element_count(&crate::datacenter(&p).ifc) as f64;
        let err = (n - target as f64).abs() / target as f64;
        assert!(err < 0.05, "{target}: {p:?} gives {n}");
    }
}

/// About a million elements; run with `cargo test --release -- --ignored million`.
#[test]
#[ignore = "slow in debug builds; run in release"]
fn million_elements_in_under_a_minute() {
    let p = DatacenterParams::for_elements(1_000_000, 1);
    let t = std::time::Instant::now();
    let g = crate::datacenter(&p);
    let secs = t.elapsed().as_secs_f64();
    let n = element_count(&g.ifc);
    eprintln!("{p:?}: {n} elements, {} MB, {secs:.1} s", g.ifc.len() / 1_000_000);
    assert!((950_000..1_050_000).contains(&n), "{n}");
    assert!(secs < 60.0);
}
