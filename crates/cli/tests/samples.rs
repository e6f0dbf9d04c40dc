//! The generated sample models: they load with our loader with the element counts the files
//! declare, regenerate byte-identically, and the shipped copies in `sample_models/` are current.

use plumbline_ifc::{load_bytes, LoadOptions};
use plumbline_samples::{BranchParams, DatacenterParams, Generated, Lang};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Physical elements by class, counted from the STEP text alone (independently of both the
/// generator's internals and the loader): every instance of an element class.
fn counts_from_text(ifc: &str) -> BTreeMap<String, usize> {
    let physical = [
        "IFCAIRTERMINAL",
        "IFCBEAM",
        "IFCBUILDINGELEMENTPROXY",
        "IFCCABLECARRIERFITTING",
        "IFCCABLECARRIERSEGMENT",
        "IFCCABLESEGMENT",
        "IFCCOLUMN",
        "IFCCOVERING",
        "IFCDOOR",
        "IFCDUCTFITTING",
        "IFCDUCTSEGMENT",
        "IFCELECTRICDISTRIBUTIONBOARD",
        "IFCELECTRICFLOWSTORAGEDEVICE",
        "IFCFIRESUPPRESSIONTERMINAL",
        "IFCFURNITURE",
        "IFCLIGHTFIXTURE",
        "IFCMEMBER",
        "IFCPIPEFITTING",
        "IFCPIPESEGMENT",
        "IFCPLATE",
        "IFCPROTECTIVEDEVICE",
        "IFCRAILING",
        "IFCSLAB",
        "IFCUNITARYEQUIPMENT",
        "IFCWALL",
        "IFCWINDOW",
    ];
    let mut out = BTreeMap::new();
    for line in ifc.lines() {
        let Some(rest) = line.strip_prefix('#') else { continue };
        let Some(eq) = rest.find('=') else { continue };
        let after = &rest[eq + 1..];
        let Some(paren) = after.find('(') else { continue };
        let class = &after[..paren];
        if physical.contains(&class) {
            *out.entry(class.to_string()).or_insert(0) += 1;
        }
    }
    out
}

fn check_loads(name: &str, g: &Generated) {
    let model =
        load_bytes(Path::new(name), g.ifc.clone().into_bytes(), &LoadOptions::default()).expect("loads");
    let ours: BTreeMap<String, usize> =
        model.class_counts().into_iter().map(|(k, v)| (k.to_ascii_uppercase(), v)).collect();
    assert_eq!(ours, counts_from_text(&g.ifc), "{name}: class counts");
    assert!(model.failures.is_empty(), "{name}: {:?}", model.failures);
    // Every element has a mesh but the pipe insulation coverings: they carry only their
    // thickness (material layers), which insulation tests inflate the covered pipe by.
    let unmeshed: Vec<&str> = model
        .physical()
        .filter(|(_, e)| e.mesh.is_none())
        .filter(|(_, e)| e.class != "IfcCovering")
        .map(|(_, e)| e.global_id.as_str())
        .collect();
    assert!(unmeshed.is_empty(), "{name}: elements without a mesh: {unmeshed:?}");
    assert_eq!(model.schema, "IFC4");
    // Every GlobalId the truth names is an element of the model.
    let ids: std::collections::HashSet<&str> = model.elements.iter().map(|e| e.global_id.as_str()).collect();
    for c in &g.truth.clashes {
        assert!(
            ids.contains(c.a.as_str()) && ids.contains(c.b.as_str()),
            "{name}: truth names {} / {}",
            c.a,
            c.b
        );
    }
}

#[test]
fn generated_models_load_with_the_counts_they_declare() {
    for lang in [Lang::En, Lang::Zh] {
        for seed in [1, 7, 42] {
            check_loads(
                "dc.ifc",
                &plumbline_samples::datacenter(&DatacenterParams { seed, lang, ..Default::default() }),
            );
            check_loads("branch.ifc", &plumbline_samples::branch(&BranchParams { seed, lang }));
        }
    }
    let big = DatacenterParams { seed: 3, halls: 2, rows: 6, racks_per_row: 12, lang: Lang::En };
    check_loads("dc-2halls.ifc", &plumbline_samples::datacenter(&big));
}

#[test]
fn chinese_names_survive_the_round_trip() {
    let g = plumbline_samples::branch(&BranchParams { seed: 1, lang: Lang::Zh });
    let m = load_bytes(Path::new("zh.ifc"), g.ifc.into_bytes(), &LoadOptions::default()).expect("loads");
    assert_eq!(m.storeys[0].name, "一层");
    assert!(m.elements.iter().any(|e| e.name.as_deref().is_some_and(|n| n.contains("金库"))));
}

#[test]
fn shipped_sample_models_are_current_and_regenerate_byte_identically() {
    let dir = std::env::temp_dir().join(format!("plumbline-samples-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let cases: [(&str, &[&str]); 4] = [
        ("datacenter-hall", &["datacenter", "--seed", "1"]),
        ("datacenter-hall-zh", &["datacenter", "--seed", "1", "--lang", "zh"]),
        ("bank-branch", &["branch", "--seed", "1"]),
        ("bank-branch-zh", &["branch", "--seed", "1", "--lang", "zh"]),
    ];
    for (name, args) in cases {
        for run in 0..2 {
            let ifc = dir.join(format!("{name}-{run}.ifc"));
            let truth = dir.join(format!("{name}-{run}.truth.json"));
            let status = Command::new(env!("CARGO_BIN_EXE_plumbline"))
                .arg("gen")
                .args(args)
                .arg("--out")
                .arg(&ifc)
                .arg("--truth")
                .arg(&truth)
                .status()
                .expect("runs");
            assert!(status.success());
        }
        let read = |p: PathBuf| std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let a = read(dir.join(format!("{name}-0.ifc")));
        assert_eq!(a, read(dir.join(format!("{name}-1.ifc"))), "{name}: two runs differ");
        let shipped = plumbline_testkit::workspace_path("sample_models");
        assert!(
            a == read(shipped.join(format!("{name}.ifc")))
                && read(dir.join(format!("{name}-0.truth.json")))
                    == read(shipped.join(format!("{name}.truth.json"))),
            "sample_models/{name} is out of date: run sample_models/regenerate.sh"
        );
    }
}
