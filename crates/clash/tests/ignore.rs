//! The default ignore rules, each on a small model with the relation it reads, and switched off.

mod common;
use common::*;
use plumbline_clash::{run_test, Ignore, IgnoreRules, Mode, Shapes, Test};
use plumbline_model::{ModelSet, Role};

fn clashes(set: &ModelSet, rules: IgnoreRules) -> usize {
    let shapes = Shapes::new(set);
    let all = (0..set.models[0].elements.len() as u32)
        .filter(|&i| set.models[0].elements[i as usize].role == Role::Physical)
        .map(r)
        .collect();
    let ignore = Ignore::new(set, rules);
    let test = Test { name: "t".into(), mode: Mode::Hard { tolerance_m: 0.002 }, a: all, b: None };
    run_test(&shapes, &test, &|x, y| ignore.ignores(x, y)).clashes.len()
}

/// A wall, its opening and a door that overlaps the wall's reveals by 10 mm.
fn wall_with_door() -> ModelSet {
    let mut set = model_set(vec![
        ("IfcWall", cuboid([0.0, 0.0, 0.0], [4.0, 0.2, 3.0])),
        ("IfcOpeningElement", cuboid([1.0, -0.1, 0.0], [2.0, 0.3, 2.1])),
        ("IfcDoor", cuboid([0.99, 0.0, 0.0], [2.01, 0.2, 2.1])),
    ]);
    set.models[0].elements[1].role = Role::Opening;
    set.models[0].relations.voids.push((0, 1));
    set.models[0].relations.fills.push((1, 2));
    set
}

#[test]
fn a_door_does_not_clash_with_the_wall_it_fills() {
    let set = wall_with_door();
    assert_eq!(clashes(&set, IgnoreRules::default()), 0);
    assert_eq!(
        clashes(
            &set,
            IgnoreRules { fillings_in_host: false, through_openings: false, ..IgnoreRules::default() }
        ),
        1
    );
}

#[test]
fn a_duct_through_an_opening_is_ignored_but_one_larger_than_the_opening_is_not() {
    let mut set = model_set(vec![
        ("IfcWall", cuboid([0.0, 0.0, 0.0], [4.0, 0.2, 3.0])),
        ("IfcOpeningElement", cuboid([1.0, -0.1, 2.0], [1.6, 0.3, 2.6])),
        // Fills the opening exactly: it meets the wall only where the wall is cut away (this
        // synthetic wall is not cut, which is what makes the rule visible).
        ("IfcDuctSegment", cuboid([1.0, -1.0, 2.0], [1.6, 1.0, 2.6])),
        // Larger than the opening: a real clash.
        ("IfcDuctSegment", cuboid([2.5, -1.0, 1.0], [3.5, 1.0, 1.5])),
    ]);
    set.models[0].elements[1].role = Role::Opening;
    set.models[0].relations.voids.push((0, 1));
    assert_eq!(clashes(&set, IgnoreRules::default()), 1);
    assert_eq!(clashes(&set, IgnoreRules::NONE), 2);
}

#[test]
fn parts_of_one_assembly_and_port_connected_elements_are_ignored() {
    let mut set = model_set(vec![
        ("IfcElementAssembly", cuboid([0.0; 3], [2.0, 1.0, 1.0])),
        ("IfcMember", cuboid([0.0; 3], [1.05, 1.0, 1.0])),
        ("IfcMember", cuboid([0.95, 0.0, 0.0], [2.0, 1.0, 1.0])),
        ("IfcPipeSegment", cuboid([5.0, 0.0, 0.0], [6.02, 0.1, 0.1])),
        ("IfcPipeFitting", cuboid([6.0, 0.0, 0.0], [6.2, 0.1, 0.1])),
    ]);
    set.models[0].relations.aggregates.extend([(0, 1), (0, 2)]);
    set.models[0].relations.port_connections.push((3, 4));
    assert_eq!(clashes(&set, IgnoreRules::default()), 0);
    // Assembly: whole vs each part and part vs part; ports: the fitting and its segment.
    assert_eq!(clashes(&set, IgnoreRules { same_assembly: false, ..IgnoreRules::default() }), 3);
    assert_eq!(clashes(&set, IgnoreRules { port_connected: false, ..IgnoreRules::default() }), 1);
}

#[test]
fn the_same_global_id_in_two_files_is_one_element() {
    let mut set = model_set(vec![("IfcBeam", cuboid([0.0; 3], [1.0; 3]))]);
    let mut copy = set.models[0].clone();
    copy.path = "copy.ifc".into();
    set.models.push(copy);
    let shapes = Shapes::new(&set);
    let refs = vec![r(0), plumbline_model::ElementRef { file: 1, element: 0 }];
    let test = Test { name: "t".into(), mode: Mode::Hard { tolerance_m: 0.002 }, a: refs, b: None };
    let ignore = Ignore::new(&set, IgnoreRules::default());
    assert!(run_test(&shapes, &test, &|x, y| ignore.ignores(x, y)).clashes.is_empty());
    let none = Ignore::new(&set, IgnoreRules::NONE);
    assert_eq!(run_test(&shapes, &test, &|x, y| none.ignores(x, y)).clashes.len(), 1);
}
