//! Integer-millimetre axis-aligned geometry.
//!
//! Every solid the generator writes is an axis-aligned prism or cylinder, and every
//! coordinate is a whole millimetre, so bounding boxes, penetration depths and gaps are
//! exact integers and the truth file never depends on floating-point rounding.

/// A world axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Axis {
    X,
    Y,
    Z,
}

impl Axis {
    pub(crate) fn index(self) -> usize {
        match self {
            Axis::X => 0,
            Axis::Y => 1,
            Axis::Z => 2,
        }
    }
}

/// A horizontal facing direction, used for the front of equipment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Facing {
    PosX,
    NegX,
    PosY,
    NegY,
}

impl Facing {
    pub(crate) fn axis(self) -> Axis {
        match self {
            Facing::PosX | Facing::NegX => Axis::X,
            Facing::PosY | Facing::NegY => Axis::Y,
        }
    }

    #[cfg(test)]
    pub(crate) fn positive(self) -> bool {
        matches!(self, Facing::PosX | Facing::PosY)
    }

    #[cfg(test)]
    pub(crate) fn opposite(self) -> Facing {
        match self {
            Facing::PosX => Facing::NegX,
            Facing::NegX => Facing::PosX,
            Facing::PosY => Facing::NegY,
            Facing::NegY => Facing::PosY,
        }
    }
}

/// An axis-aligned box in millimetres; `min <= max` on every axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Aabb {
    pub(crate) min: [i64; 3],
    pub(crate) max: [i64; 3],
}

impl Aabb {
    /// A box from its x, y and z ranges.
    pub(crate) const fn xyz(x: (i64, i64), y: (i64, i64), z: (i64, i64)) -> Self {
        Self { min: [x.0, y.0, z.0], max: [x.1, y.1, z.1] }
    }

    pub(crate) fn size(&self, axis: Axis) -> i64 {
        self.max[axis.index()] - self.min[axis.index()]
    }

    /// Twice the centre coordinate, to stay integral when a size is odd.
    pub(crate) fn centre2(&self, axis: Axis) -> i64 {
        self.min[axis.index()] + self.max[axis.index()]
    }

    /// The minimum translation distance that separates two overlapping boxes, or 0 when
    /// they only touch or are apart.  For boxes this is the smallest push-out over the
    /// three axes, which is exact.
    pub(crate) fn penetration(&self, o: &Aabb) -> i64 {
        let mut best = i64::MAX;
        for i in 0..3 {
            let push = (self.max[i] - o.min[i]).min(o.max[i] - self.min[i]);
            if push <= 0 {
                return 0;
            }
            best = best.min(push);
        }
        best
    }

    /// Whether the interiors intersect (touching faces do not count).
    #[cfg(test)]
    pub(crate) fn overlaps(&self, o: &Aabb) -> bool {
        (0..3).all(|i| self.min[i] < o.max[i] && o.min[i] < self.max[i])
    }

    /// The squared Euclidean distance between the boxes (0 when touching or overlapping).
    #[cfg(test)]
    pub(crate) fn dist2(&self, o: &Aabb) -> i64 {
        (0..3)
            .map(|i| {
                let g = (o.min[i] - self.max[i]).max(self.min[i] - o.max[i]).max(0);
                g * g
            })
            .sum()
    }

    /// The zone of depth `d` attached to the face of this box that looks towards `f`.
    #[cfg(test)]
    pub(crate) fn zone(&self, f: Facing, d: i64) -> Aabb {
        let i = f.axis().index();
        let mut z = *self;
        if f.positive() {
            z.min[i] = self.max[i];
            z.max[i] = self.max[i] + d;
        } else {
            z.max[i] = self.min[i];
            z.min[i] = self.min[i] - d;
        }
        z
    }

    /// The zone of depth `d` above (`up`) or below this box.
    #[cfg(test)]
    pub(crate) fn zone_vertical(&self, up: bool, d: i64) -> Aabb {
        let mut z = *self;
        if up {
            z.min[2] = self.max[2];
            z.max[2] = self.max[2] + d;
        } else {
            z.max[2] = self.min[2];
            z.min[2] = self.min[2] - d;
        }
        z
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn penetration_is_the_smallest_push_out() {
        let slab = Aabb::xyz((0, 10_000), (0, 10_000), (-300, 0));
        let duct = Aabb::xyz((1000, 2000), (1000, 1400), (-260, -60));
        assert_eq!(slab.penetration(&duct), 240);
        let touching = Aabb::xyz((0, 100), (0, 100), (0, 50));
        assert_eq!(slab.penetration(&touching), 0);
        assert!(!slab.overlaps(&touching));
        assert_eq!(slab.dist2(&touching), 0);
        let apart = Aabb::xyz((0, 100), (0, 100), (3, 50));
        assert_eq!(slab.dist2(&apart), 9);
    }

    #[test]
    fn zones_attach_to_the_facing_side() {
        let b = Aabb::xyz((0, 600), (0, 1200), (600, 2800));
        assert_eq!(b.zone(Facing::PosY, 1000), Aabb::xyz((0, 600), (1200, 2200), (600, 2800)));
        assert_eq!(b.zone(Facing::NegX, 914), Aabb::xyz((-914, 0), (0, 1200), (600, 2800)));
        assert_eq!(b.zone_vertical(true, 305), Aabb::xyz((0, 600), (0, 1200), (2800, 3105)));
        assert_eq!(Facing::PosY.opposite(), Facing::NegY);
    }
}
