//! The plan transform of a branch variant: the layout code works in the sample's plan frame
//! (x = 0..24000 along the banking hall, y = 0..16000), and [`Plan`] mirrors, turns and moves
//! every box on its way into the file.
//!
//! The transform is an isometry of whole millimetres, so every gap, penetration depth and
//! clearance the truth records in the plan frame is exactly the one in the file.

use std::ops::{Deref, DerefMut};

use crate::build::{Ctx, Kind, Output, Placed, Sched, Shape};
use crate::geom::{Aabb, Axis, Facing};
use crate::guid::Key;
use crate::step::Id;
use crate::BranchLayout;

/// Mirror (x to -x), then quarter turns counter-clockwise about the plan origin, then a move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Transform {
    mirrored: bool,
    turns: u8,
    origin_mm: [i64; 2],
}

impl Transform {
    pub(crate) fn new(layout: &BranchLayout) -> Self {
        Self { mirrored: layout.mirrored, turns: layout.quarter_turns % 4, origin_mm: layout.origin_mm }
    }

    /// The linear part (mirror and turns) applied to a plan vector.
    fn linear(&self, x: i64, y: i64) -> (i64, i64) {
        let x = if self.mirrored { -x } else { x };
        match self.turns {
            0 => (x, y),
            1 => (-y, x),
            2 => (-x, -y),
            _ => (y, -x),
        }
    }

    pub(crate) fn aabb(&self, b: Aabb) -> Aabb {
        let (x0, y0) = self.linear(b.min[0], b.min[1]);
        let (x1, y1) = self.linear(b.max[0], b.max[1]);
        let [ox, oy] = self.origin_mm;
        Aabb {
            min: [x0.min(x1) + ox, y0.min(y1) + oy, b.min[2]],
            max: [x0.max(x1) + ox, y0.max(y1) + oy, b.max[2]],
        }
    }

    fn facing(&self, f: Facing) -> Facing {
        let v = match f {
            Facing::PosX => (1, 0),
            Facing::NegX => (-1, 0),
            Facing::PosY => (0, 1),
            Facing::NegY => (0, -1),
        };
        match self.linear(v.0, v.1) {
            (1, _) => Facing::PosX,
            (-1, _) => Facing::NegX,
            (_, 1) => Facing::PosY,
            _ => Facing::NegY,
        }
    }

    fn axis(&self, a: Axis) -> Axis {
        match (a, self.turns % 2 == 1) {
            (Axis::X, true) => Axis::Y,
            (Axis::Y, true) => Axis::X,
            (a, _) => a,
        }
    }

    pub(crate) fn shape(&self, s: Shape) -> Shape {
        match s {
            Shape::Block { b, front } => Shape::Block { b: self.aabb(b), front: self.facing(front) },
            Shape::Mapped { b, front } => Shape::Mapped { b: self.aabb(b), front: self.facing(front) },
            Shape::Bar { b, along } => Shape::Bar { b: self.aabb(b), along: self.axis(along) },
            Shape::Round { b, along } => Shape::Round { b: self.aabb(b), along: self.axis(along) },
            Shape::ISection { b, along, web, flange } => {
                Shape::ISection { b: self.aabb(b), along: self.axis(along), web, flange }
            }
        }
    }
}

/// The model being written, seen in the plan frame: elements, spaces and openings are given
/// in plan coordinates and written transformed; a [`Placed`] it returns keeps its plan-frame
/// box, so layout code can keep measuring from it (the truth's distances are the same in both
/// frames).  Everything else is the [`Ctx`]'s.
#[derive(Debug)]
pub(crate) struct Plan {
    ctx: Ctx,
    t: Transform,
}

impl Plan {
    pub(crate) fn new(ctx: Ctx, t: Transform) -> Self {
        Self { ctx, t }
    }

    /// Writes one physical element (see [`Ctx::put`]).
    pub(crate) fn put(
        &mut self,
        k: Kind,
        key: Key,
        name: std::fmt::Arguments<'_>,
        shape: Shape,
        system: Option<usize>,
        sched: Sched,
    ) -> Placed {
        let mut placed = self.ctx.put(k, key, name, self.t.shape(shape), system, sched);
        placed.b = shape.bbox();
        placed
    }

    /// Writes a space (see [`Ctx::space`]).
    pub(crate) fn space(&mut self, key: Key, name: &str, long_name: &str, b: Aabb) {
        self.ctx.space(key, name, long_name, self.t.aabb(b));
    }

    /// Cuts an opening of plan box `b` into `wall` (see [`Ctx::opening`]).
    pub(crate) fn opening(&mut self, wall: &Placed, key: Key, b: Aabb) -> Id {
        self.ctx.opening(wall, key, self.t.aabb(b))
    }

    pub(crate) fn finish(self) -> Output {
        self.ctx.finish()
    }
}

impl Deref for Plan {
    type Target = Ctx;

    fn deref(&self) -> &Ctx {
        &self.ctx
    }
}

impl DerefMut for Plan {
    fn deref_mut(&mut self) -> &mut Ctx {
        &mut self.ctx
    }
}

/// The model without its 4D schedule: the schedule's entities are the last the writer adds
/// (from the `IfcWorkSchedule` on), so cutting the text there leaves every other entity and
/// reference as it was, numbered from 1 without a gap.  The records forget their tasks, as the
/// file does.
pub(crate) fn without_schedule((mut ifc, truth, internals): Output) -> Output {
    if let Some(at) = ifc.find("=IFCWORKSCHEDULE(") {
        let line_start = ifc[..at].rfind('\n').map_or(0, |i| i + 1);
        ifc.truncate(line_start);
        ifc.push_str("ENDSEC;\nEND-ISO-10303-21;\n");
    }
    let internals = internals.map(|(mut records, _)| {
        for r in &mut records {
            r.task = None;
            r.end_task = None;
        }
        (records, Vec::new())
    });
    (ifc, truth, internals)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(mirrored: bool, turns: u8) -> Transform {
        Transform { mirrored, turns, origin_mm: [1000, -2000] }
    }

    #[test]
    fn boxes_keep_their_sizes_and_move_with_the_origin() {
        let b = Aabb::xyz((0, 300), (100, 500), (10, 20));
        assert_eq!(t(false, 0).aabb(b), Aabb::xyz((1000, 1300), (-1900, -1500), (10, 20)));
        assert_eq!(t(false, 1).aabb(b), Aabb::xyz((500, 900), (-2000, -1700), (10, 20)));
        assert_eq!(t(true, 0).aabb(b), Aabb::xyz((700, 1000), (-1900, -1500), (10, 20)));
    }

    #[test]
    fn facings_and_axes_turn_with_the_plan() {
        assert_eq!(t(false, 1).facing(Facing::PosX), Facing::PosY);
        assert_eq!(t(false, 1).facing(Facing::PosY), Facing::NegX);
        assert_eq!(t(true, 0).facing(Facing::PosX), Facing::NegX);
        assert_eq!(t(true, 0).facing(Facing::NegY), Facing::NegY);
        assert_eq!(t(true, 3).facing(Facing::PosX), Facing::PosY);
        assert_eq!(t(false, 3).axis(Axis::X), Axis::Y);
        assert_eq!(t(false, 2).axis(Axis::X), Axis::X);
        assert_eq!(t(false, 1).axis(Axis::Z), Axis::Z);
    }
}
