//! Repair of names that an exporter wrote in a legacy double-byte code page.
//!
//! ifc-lite decodes the STEP escapes of ISO 10303-21 (`\X2\` UTF-16, `\X4\`, `\X\` and `\S\`
//! ISO 8859-1, `''`). Some exporters (ArchiCAD 16 Japanese, older Chinese tools) instead write
//! each byte of a Shift_JIS or GBK string as `\X\hh`, which decodes to Latin-1 characters in the
//! C1 control range U+0080–U+009F. Those characters never occur in real text, so a file whose
//! strings contain them is re-read in the code page that decodes every such string cleanly.

use encoding_rs::{Encoding, GBK, SHIFT_JIS};
use plumbline_model::{Element, Model};
use rayon::prelude::*;

/// Whether `s` may need the repair or a warning: it holds a backslash (a STEP escape left as
/// written), or the UTF-8 lead byte of a C1 control (0xC2, see [`has_c1`]) or of U+FFFD (0xEF).
/// A byte search, so that a model with nothing of the kind (nearly all) is read once, quickly.
fn may_need_care(s: &str) -> bool {
    memchr::memchr3(b'\\', 0xC2, 0xEF, s.as_bytes()).is_some()
}

/// Repairs the model's legacy code-page strings and returns the warnings about text that could
/// not be decoded faithfully ([`repair_legacy_encoding`], then [`text_warnings`]); a model
/// whose strings hold nothing either looks for is read once and left alone.
pub(crate) fn check_text(model: &mut Model) -> Vec<String> {
    if !any_text(model, may_need_care) {
        return Vec::new();
    }
    repair_legacy_encoding(model);
    text_warnings(model)
}

fn has_c1(s: &str) -> bool {
    s.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c))
}

/// The Latin-1 bytes of `s`, if every character is one byte.
fn latin1_bytes(s: &str) -> Option<Vec<u8>> {
    s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect()
}

fn decode_strict(encoding: &'static Encoding, s: &str) -> Option<String> {
    let bytes = latin1_bytes(s)?;
    encoding.decode_without_bom_handling_and_without_replacement(&bytes).map(|c| c.into_owned())
}

fn kana_count(s: &str) -> usize {
    s.chars().filter(|c| ('\u{3040}'..='\u{30ff}').contains(c)).count()
}

/// Chooses the code page for a file from all its suspicious strings: the one that decodes all
/// of them; when both do, Shift_JIS if it yields kana (Japanese text nearly always has some).
fn choose(samples: &[&str]) -> Option<&'static Encoding> {
    let all_ok = |enc| samples.iter().all(|s| decode_strict(enc, s).is_some());
    match (all_ok(SHIFT_JIS), all_ok(GBK)) {
        (true, true) => {
            let kana: usize =
                samples.iter().filter_map(|s| decode_strict(SHIFT_JIS, s)).map(|t| kana_count(&t)).sum();
            Some(if kana > 0 { SHIFT_JIS } else { GBK })
        }
        (true, false) => Some(SHIFT_JIS),
        (false, true) => Some(GBK),
        (false, false) => None,
    }
}

/// Visits every user-visible string of a model.
fn for_each_text(model: &mut Model, f: &mut dyn FnMut(&mut String)) {
    let opt = |o: &mut Option<String>, f: &mut dyn FnMut(&mut String)| {
        if let Some(s) = o {
            f(s);
        }
    };
    for e in &mut model.elements {
        opt(&mut e.name, f);
        opt(&mut e.object_type, f);
        for shared in [&mut e.storey, &mut e.building].into_iter().flatten() {
            if has_c1(shared) {
                let mut text = shared.to_string();
                f(&mut text);
                *shared = text.into();
            }
        }
        if let Some(t) = &mut e.type_object {
            opt(&mut t.name, f);
        }
        // Shared property sets are copied only when they hold a string to repair.
        for p in &mut e.property_sets {
            let suspicious =
                has_c1(&p.name) || p.properties.iter().any(|q| has_c1(&q.name) || has_c1(&q.value));
            if !suspicious {
                continue;
            }
            let p = std::sync::Arc::make_mut(p);
            f(&mut p.name);
            for q in &mut p.properties {
                f(&mut q.name);
                f(&mut q.value);
            }
        }
        for m in &mut e.materials {
            f(m);
        }
    }
    for s in &mut model.storeys {
        f(&mut s.name);
        opt(&mut s.building, f);
    }
    for s in &mut model.relations.systems {
        opt(&mut s.name, f);
    }
}

/// Whether any user-visible string of the model passes `test` (every string [`for_each_text`]
/// and [`text_warnings`] read, and no other), looked for on every thread: nearly every model has
/// nothing to repair or warn about, and a million elements take a while to read one by one.
fn any_text(model: &Model, test: impl Fn(&str) -> bool + Sync) -> bool {
    let element = |e: &Element| {
        let own = [&e.name, &e.object_type].into_iter().flatten().map(String::as_str);
        let shared = [&e.storey, &e.building].into_iter().flatten().map(|s| &**s);
        let type_name = e.type_object.iter().filter_map(|t| t.name.as_deref());
        let sets = e.property_sets.iter().flat_map(|p| {
            std::iter::once(p.name.as_str())
                .chain(p.properties.iter().flat_map(|q| [q.name.as_str(), q.value.as_str()]))
        });
        let materials = e.materials.iter().map(String::as_str);
        own.chain(shared).chain(type_name).chain(sets).chain(materials).any(&test)
    };
    model.elements.par_iter().any(element)
        || model.storeys.iter().any(|s| test(&s.name) || s.building.as_deref().is_some_and(&test))
        || model.relations.systems.iter().any(|s| s.name.as_deref().is_some_and(&test))
}

/// Re-decodes the model's strings when they were written in a legacy code page (see the module
/// documentation). Models without such strings are left untouched.
fn repair_legacy_encoding(model: &mut Model) {
    if !any_text(model, has_c1) {
        return;
    }
    let mut samples: Vec<String> = Vec::new();
    for_each_text(model, &mut |s| {
        if has_c1(s) && !samples.contains(s) {
            samples.push(s.clone());
        }
    });
    if samples.is_empty() {
        return;
    }
    let refs: Vec<&str> = samples.iter().map(String::as_str).collect();
    let Some(encoding) = choose(&refs) else { return };
    for_each_text(model, &mut |s| {
        if has_c1(s) {
            if let Some(fixed) = decode_strict(encoding, s) {
                *s = fixed;
            }
        }
    });
}

/// Sentences for the model's warnings about text that could not be decoded faithfully: bytes
/// that are neither UTF-8 nor a code page the repair recognised (shown as U+FFFD), and STEP
/// escapes ifc-lite left as written because they are broken (`\X2\` with odd hex, no `\X0\`).
/// Names are data, so such a model still loads; the warning says what is not as written.
fn text_warnings(model: &Model) -> Vec<String> {
    if !any_text(model, |s| s.contains('\u{FFFD}') || s.contains("\\X")) {
        return Vec::new();
    }
    let mut replaced = (0usize, None::<String>);
    let mut escapes = (0usize, None::<String>);
    let mut check = |s: &str| {
        if s.contains('\u{FFFD}') {
            replaced.0 += 1;
            replaced.1.get_or_insert_with(|| s.to_string());
        }
        if s.contains("\\X2\\") || s.contains("\\X4\\") || s.contains("\\X\\") {
            escapes.0 += 1;
            escapes.1.get_or_insert_with(|| s.to_string());
        }
    };
    let mut seen_sets = std::collections::HashSet::new();
    for e in &model.elements {
        for text in [&e.name, &e.object_type].into_iter().flatten() {
            check(text);
        }
        if let Some(name) = e.type_object.as_ref().and_then(|t| t.name.as_ref()) {
            check(name);
        }
        // Property sets are shared between elements: each is read once.
        for p in &e.property_sets {
            if seen_sets.insert(std::sync::Arc::as_ptr(p)) {
                check(&p.name);
                for q in &p.properties {
                    check(&q.name);
                    check(&q.value);
                }
            }
        }
    }
    for st in &model.storeys {
        check(&st.name);
    }
    let mut out = Vec::new();
    if let (n, Some(first)) = replaced {
        out.push(format!(
            "{n} text(s) hold bytes that are neither UTF-8 nor a known code page, shown as \u{FFFD} (first: '{first}')"
        ));
    }
    if let (n, Some(first)) = escapes {
        out.push(format!("{n} text(s) hold a broken STEP escape (\\X2\\, \\X4\\ or \\X\\), kept as written (first: '{first}')"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string the repair or the warnings look at passes the byte search first.
    #[test]
    fn what_needs_care_is_found_by_the_byte_search() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let s = format!("a{c}b");
            if has_c1(&s) || s.contains('\u{FFFD}') {
                assert!(may_need_care(&s), "U+{:04X}", u32::from(c));
            }
        }
        for s in ["\\X2\\4E2D\\X0\\", "a\\X\\E9", "\\X4\\"] {
            assert!(may_need_care(s), "{s}");
        }
        assert!(!may_need_care("Basic Wall:Interior - 中文名称 (92mm Stud)"));
    }

    #[test]
    fn shift_jis_bytes_in_latin1_escapes_become_japanese() {
        // "1階" in Shift_JIS is 31 8A 4B; ArchiCAD wrote it as '1\X\8AK'.
        let mangled = "1\u{8a}K";
        assert_eq!(choose(&[mangled, "\u{83}R\u{83}\u{93}\u{83}N"]), Some(SHIFT_JIS));
        assert_eq!(decode_strict(SHIFT_JIS, mangled).as_deref(), Some("1階"));
    }

    #[test]
    fn gbk_chinese_is_recognised() {
        // "机房" in GBK is BB FA B7 BF: no kana, so GBK wins when both decode.
        let bytes: String = [0xBBu8, 0xFA, 0xB7, 0xBF, 0x81, 0x40].iter().map(|&b| char::from(b)).collect();
        assert_eq!(choose(&[&bytes]), Some(GBK));
    }

    #[test]
    fn real_latin1_text_is_left_alone() {
        assert!(!has_c1("café Straße"));
    }

    #[test]
    fn warnings_name_replaced_bytes_and_broken_escapes_and_a_clean_model_has_none() {
        use plumbline_testkit::{element, model};
        let clean = model([element("IfcWall", "a").name("Wall 1")]).build();
        assert!(text_warnings(&clean).is_empty());
        let set = std::sync::Arc::new(plumbline_model::PropertySet {
            name: "Pset_Note".into(),
            properties: vec![plumbline_model::Property { name: "Note".into(), value: "a \\X2\\00E9".into() }],
        });
        let damaged = model([
            element("IfcWall", "a").name("W\u{FFFD}ll"),
            element("IfcWall", "b").property_set(set.clone()),
            element("IfcWall", "c").property_set(set),
        ])
        .build();
        let warnings = text_warnings(&damaged);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].starts_with("1 text(s) hold bytes"), "{}", warnings[0]);
        // The shared set is one text, however many elements hold it.
        assert!(warnings[1].starts_with("1 text(s) hold a broken STEP escape"), "{}", warnings[1]);
    }

    #[test]
    fn legacy_bytes_in_a_material_are_repaired_and_clean_models_are_untouched() {
        use plumbline_testkit::{element, model};
        // Shift_JIS katakana in the material make the file's code page plain.
        let katakana = "\u{83}R\u{83}\u{93}\u{83}N";
        let mut m = model([element("IfcWall", "a").name("1\u{8a}K").material(katakana)]).build();
        let clean = model([element("IfcWall", "a").name("Wall").material("Beton")]).build();
        let mut same = clean.clone();
        repair_legacy_encoding(&mut m);
        repair_legacy_encoding(&mut same);
        assert_eq!(m.elements[0].name.as_deref(), Some("1階"));
        assert_eq!(Some(m.elements[0].materials[0].clone()), decode_strict(SHIFT_JIS, katakana));
        assert!(!has_c1(&m.elements[0].materials[0]));
        assert_eq!(same.elements[0].materials, clean.elements[0].materials);
        assert_eq!(same.elements[0].name, clean.elements[0].name);
    }
}
