//! Headless tests of the finding tools: search, the hover tooltip's text, the shortcuts list.

use crate::search_plugin::{search, SearchField};
use crate::state::i18n::Lang;
use crate::state::scene::{hover_text, ModelScene};
use crate::tests::{headless_app, load_into, small_hall};

#[test]
fn search_finds_elements_by_name_global_id_class_and_property_value() {
    let (set, _) = small_hall();
    let mut app = headless_app();
    load_into(&mut app, set, None, None);
    let scene = app.world().resource::<ModelScene>();
    let (r, e, p) = scene
        .set
        .elements()
        .filter(|(r, e)| scene.entities.contains_key(r) && e.name.is_some())
        .find_map(|(r, e)| {
            let p = e
                .property_sets
                .iter()
                .flat_map(|s| s.properties.iter())
                .find(|p| p.value.trim().len() > 1)?;
            Some((r, e, p.clone()))
        })
        .expect("a named element with a property value");

    let by_class = search(scene, &e.class.to_uppercase(), SearchField::Class);
    assert!(by_class.contains(&r), "class search ignores case");
    assert!(by_class.iter().all(|x| scene.element(*x).class.eq_ignore_ascii_case(&e.class)
        || scene.element(*x).class.to_lowercase().contains(&e.class.to_lowercase())));
    assert_eq!(search(scene, &e.global_id, SearchField::GlobalId), vec![r], "a GlobalId finds its element");
    let name = e.name.clone().unwrap_or_default();
    assert!(search(scene, &name, SearchField::Name).contains(&r));
    assert!(search(scene, &p.value, SearchField::Property).contains(&r), "by property value");
    let named = format!("{}={}", p.name, p.value);
    let by_named = search(scene, &named, SearchField::Property);
    assert!(by_named.contains(&r), "NAME=VALUE looks in that property");
    assert!(by_named.len() <= search(scene, &p.value, SearchField::Property).len());
    assert!(search(scene, &e.global_id, SearchField::Any).contains(&r), "all fields include the GlobalId");
    assert!(search(scene, "no-such-thing-anywhere", SearchField::Any).is_empty());
    assert!(search(scene, "  ", SearchField::Any).is_empty(), "an empty search lists nothing");
    // Results come in model order, so the list is the same every time.
    let mut sorted = by_class.clone();
    sorted.sort();
    assert_eq!(by_class, sorted);
}

#[test]
fn the_hover_tooltip_names_class_and_name_and_shortcuts_exist_in_both_languages() {
    let (set, _) = small_hall();
    let (_, e) = set.elements().find(|(_, e)| e.name.is_some()).expect("a named element");
    let text = hover_text(e);
    assert!(text.starts_with(&e.class) && text.contains(e.name.as_deref().unwrap_or("")), "{text}");
    let mut unnamed = e.clone();
    unnamed.name = None;
    assert!(hover_text(&unnamed).contains(&e.global_id), "without a name, the GlobalId");

    let (en, zh) = (Lang::En.strings(), Lang::Zh.strings());
    assert_eq!(en.shortcut_list.len(), zh.shortcut_list.len());
    for ((ke, _), (kz, _)) in en.shortcut_list.iter().zip(zh.shortcut_list) {
        // Single keys are the same keys in both languages.
        if ke.len() <= 2 {
            assert_eq!(ke, kz);
        }
    }
    assert!(
        en.shortcut_list.iter().any(|(k, _)| *k == "F1") && en.shortcut_list.iter().any(|(k, _)| *k == "M")
    );
}

#[test]
fn colouring_gives_a_legend_per_value_and_unticked_values_hide_their_elements() {
    use crate::state::colour::{ColourBy, Colouring};
    use crate::tests::looks;
    use bevy::prelude::*;
    assert_eq!(ColourBy::parse("storey"), Some(ColourBy::Storey));
    assert_eq!(ColourBy::parse("SYSTEM"), Some(ColourBy::System));
    assert_eq!(
        ColourBy::parse("Pset_WallCommon.FireRating"),
        Some(ColourBy::Property { pset: "Pset_WallCommon".into(), prop: "FireRating".into() })
    );
    assert_eq!(ColourBy::parse("nonsense"), None);

    let (set, _) = small_hall();
    let mut app = headless_app();
    load_into(&mut app, set, None, None);
    app.update();
    let drawn = app.world().resource::<ModelScene>().drawn();
    let total = |app: &App| app.world().resource::<Colouring>().legend.iter().map(|e| e.count).sum::<usize>();
    // By class, the default: every drawn element counted, with the palette's own materials.
    assert_eq!(total(&app), drawn);
    let palette_class = app.world().resource::<crate::state::palette::Palette>().by_class.len();
    assert_eq!(app.world().resource::<Colouring>().legend.len(), palette_class);

    // By storey: one value per storey, then one unticked hides exactly its elements.
    app.world_mut().resource_mut::<Colouring>().by = ColourBy::Storey;
    app.update();
    assert_eq!(total(&app), drawn);
    let (value, material, count) = {
        let c = app.world().resource::<Colouring>();
        let e = c.legend.iter().max_by_key(|e| e.count).expect("a storey");
        (e.value.clone(), e.material.clone(), e.count)
    };
    let coloured = looks(&mut app).iter().filter(|x| x.2 == material).count();
    assert_eq!(coloured, count, "the storey's elements wear its legend colour");
    app.world_mut().resource_mut::<Colouring>().hidden.insert(value);
    app.update();
    let hidden = looks(&mut app).iter().filter(|x| x.1 == Visibility::Hidden).count();
    assert_eq!(hidden, count, "unticking a value hides its elements only");

    // By a property's value: the values the model holds.
    let (pset, prop, v) = {
        let scene = app.world().resource::<ModelScene>();
        scene
            .set
            .elements()
            .filter(|(r, _)| scene.entities.contains_key(r))
            .find_map(|(_, e)| {
                let s = e.property_sets.first()?;
                let p = s.properties.iter().find(|p| !p.value.is_empty())?;
                Some((s.name.clone(), p.name.clone(), p.value.clone()))
            })
            .expect("a property")
    };
    app.world_mut().resource_mut::<Colouring>().by = ColourBy::Property { pset, prop };
    app.update();
    let c = app.world().resource::<Colouring>();
    assert!(c.legend.iter().any(|e| e.value == v), "{v} is in the legend");
    assert_eq!(total(&app), drawn);
    // By system and by clash status: every element has a value (maybe none).
    for by in [ColourBy::System, ColourBy::ClashStatus, ColourBy::FourD] {
        app.world_mut().resource_mut::<Colouring>().by = by;
        app.world_mut().resource_mut::<Colouring>().hidden.clear();
        app.update();
        assert_eq!(total(&app), drawn);
    }
}
