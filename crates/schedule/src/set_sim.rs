//! The 4D simulation of a federated model set, addressed by [`ElementRef`]: the one place that
//! numbers a set's physical elements for [`SimIndex`].
//!
//! A [`SimIndex`] knows its elements only by position. Every caller that asks it about an
//! element of a loaded set (time-based clash tests, the viewer's timeline, the CLI's 4D
//! reports) must number the elements the same way, file after file, physical elements in
//! element order, as [`crate::element_keys`] lists them. [`SetSim`] does that once.

use crate::links::element_keys;
use crate::sim::{coexistence, Basis, ElementKey, Existence, SimIndex};
use crate::{Link, Schedule};
use plumbline_model::{ElementRef, Model, Role};

impl SimIndex {
    /// The index of the physical elements of `models`, numbered file after file as
    /// [`crate::element_keys`] lists them (and as [`SetSim`] addresses them).
    pub fn for_models(schedule: &Schedule, links: &[Link], models: &[Model]) -> SimIndex {
        let keys: Vec<ElementKey<'_>> = models.iter().flat_map(element_keys).collect();
        SimIndex::from_links(schedule, links, &keys)
    }
}

/// A [`SimIndex`] over the physical elements of a set of models, with each element's position.
#[derive(Debug, Clone)]
pub struct SetSim {
    index: SimIndex,
    /// Per file, per element: its position in `index`, or `u32::MAX` for an element that is
    /// not physical (spaces, openings, virtual elements are not simulated).
    position: Vec<Vec<u32>>,
}

impl SetSim {
    /// Simulates the physical elements of `models` under `schedule`, linked by `links`.
    pub fn new(schedule: &Schedule, links: &[Link], models: &[Model]) -> SetSim {
        let mut next = 0u32;
        let position = models
            .iter()
            .map(|m| {
                m.elements
                    .iter()
                    .map(|e| {
                        if e.role == Role::Physical {
                            next += 1;
                            next - 1
                        } else {
                            u32::MAX
                        }
                    })
                    .collect()
            })
            .collect();
        SetSim { index: SimIndex::for_models(schedule, links, models), position }
    }

    /// The index, whose element `i` is the `i`-th physical element of the set.
    pub fn index(&self) -> &SimIndex {
        &self.index
    }

    /// The position of element `r` in [`SetSim::index`]; `None` for an element that is not
    /// physical or not in the set.
    pub fn position(&self, r: ElementRef) -> Option<usize> {
        let p = *self.position.get(r.file as usize)?.get(r.element as usize)?;
        (p != u32::MAX).then_some(p as usize)
    }

    /// The days element `r` stands: always for an element the simulation does not cover;
    /// `None` when its tasks remove it before they build it.
    pub fn existence(&self, r: ElementRef, basis: Basis) -> Option<Existence> {
        match self.position(r) {
            Some(i) => self.index.existence(i, basis),
            None => Some(Existence::ALWAYS),
        }
    }

    /// The days elements `a` and `b` both stand, or `None` when they never stand together.
    pub fn coexist(&self, a: ElementRef, b: ElementRef, basis: Basis) -> Option<Existence> {
        coexistence(&self.existence(a, basis)?, &self.existence(b, basis)?)
    }

    /// Whether the schedule makes element `r` temporary works (linked to a temporary task, or
    /// linked and marked temporary).
    pub fn is_temporary(&self, r: ElementRef) -> bool {
        self.position(r).is_some_and(|i| self.index.is_temporary(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plumbline_testkit::{element, model};

    #[test]
    fn physical_elements_are_numbered_file_after_file() {
        let first = model([
            element("IfcWall", "a").build(),
            element("IfcSpace", "s").role(Role::Space).build(),
            element("IfcWall", "b").build(),
        ])
        .build();
        let second = model([element("IfcWall", "c")]).build();
        let schedule = Schedule::new("in memory", crate::Format::Memory);
        let sim = SetSim::new(&schedule, &[], &[first, second]);
        let at = |file, element| sim.position(ElementRef { file, element });
        assert_eq!(
            [at(0, 0), at(0, 1), at(0, 2), at(1, 0), at(2, 0)],
            [Some(0), None, Some(1), Some(2), None]
        );
        assert_eq!(sim.index().len(), 3);
        assert_eq!(
            sim.existence(ElementRef { file: 0, element: 1 }, Basis::Planned),
            Some(Existence::ALWAYS)
        );
        assert!(!sim.is_temporary(ElementRef { file: 1, element: 0 }));
    }
}
