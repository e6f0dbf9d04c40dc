use serde::{Deserialize, Serialize};

/// An axis-aligned box in world metres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Aabb {
    pub min: [f64; 3],
    pub max: [f64; 3],
}

impl Aabb {
    /// The empty box: `min > max`, so that growing it by any point gives that point.
    pub const EMPTY: Aabb = Aabb { min: [f64::INFINITY; 3], max: [f64::NEG_INFINITY; 3] };

    pub fn is_empty(&self) -> bool {
        (0..3).any(|i| self.min[i] > self.max[i])
    }

    pub fn grow(&mut self, p: [f64; 3]) {
        for (i, v) in p.iter().enumerate() {
            self.min[i] = self.min[i].min(*v);
            self.max[i] = self.max[i].max(*v);
        }
    }

    pub fn union(&self, other: &Aabb) -> Aabb {
        let mut out = *self;
        out.grow(other.min);
        out.grow(other.max);
        out
    }

    /// The box grown by `margin_m` on every side (clearance tests inflate boxes this way).
    pub fn inflated(&self, margin_m: f64) -> Aabb {
        Aabb {
            min: [self.min[0] - margin_m, self.min[1] - margin_m, self.min[2] - margin_m],
            max: [self.max[0] + margin_m, self.max[1] + margin_m, self.max[2] + margin_m],
        }
    }

    /// Closed-interval overlap: boxes that only touch do intersect.
    pub fn intersects(&self, other: &Aabb) -> bool {
        (0..3).all(|i| self.min[i] <= other.max[i] && other.min[i] <= self.max[i])
    }

    /// The common part of two boxes, if they intersect.
    pub fn intersection(&self, other: &Aabb) -> Option<Aabb> {
        if !self.intersects(other) {
            return None;
        }
        let mut out = *self;
        for i in 0..3 {
            out.min[i] = self.min[i].max(other.min[i]);
            out.max[i] = self.max[i].min(other.max[i]);
        }
        Some(out)
    }

    /// The centre of what lies between two boxes: on each axis, the middle of their common
    /// interval where they overlap, else the middle of the gap between them. For overlapping
    /// boxes, the centre of their intersection; for boxes apart, a point halfway across.
    pub fn center_between(&self, other: &Aabb) -> [f64; 3] {
        std::array::from_fn(|i| 0.5 * (self.min[i].max(other.min[i]) + self.max[i].min(other.max[i])))
    }

    pub fn center(&self) -> [f64; 3] {
        [
            0.5 * (self.min[0] + self.max[0]),
            0.5 * (self.min[1] + self.max[1]),
            0.5 * (self.min[2] + self.max[2]),
        ]
    }

    pub fn size(&self) -> [f64; 3] {
        [self.max[0] - self.min[0], self.max[1] - self.min[1], self.max[2] - self.min[2]]
    }

    /// Largest per-side difference between two boxes, in metres (how fidelity is measured).
    pub fn max_side_difference(&self, other: &Aabb) -> f64 {
        (0..3)
            .flat_map(|i| [(self.min[i] - other.min[i]).abs(), (self.max[i] - other.max[i]).abs()])
            .fold(0.0, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn touching_boxes_intersect_and_share_a_flat_overlap() {
        let a = Aabb { min: [0.0; 3], max: [1.0; 3] };
        let b = Aabb { min: [1.0, 0.0, 0.0], max: [2.0, 1.0, 1.0] };
        assert!(a.intersects(&b));
        let i = a.intersection(&b).expect("touching boxes intersect");
        assert_eq!(i.size()[0], 0.0);
    }

    #[test]
    fn the_centre_between_boxes_is_their_overlap_or_their_gap() {
        let a = Aabb { min: [0.0; 3], max: [1.0; 3] };
        let overlapping = Aabb { min: [0.5, 0.5, 0.5], max: [2.0, 2.0, 2.0] };
        assert_eq!(a.center_between(&overlapping), [0.75; 3]);
        // Apart along z by 0.2, overlapping in x and y.
        let above = Aabb { min: [0.5, -1.0, 1.2], max: [0.7, 3.0, 2.0] };
        assert_eq!(a.center_between(&above), [0.6, 0.5, 1.1]);
        assert_eq!(above.center_between(&a), [0.6, 0.5, 1.1]);
    }

    #[test]
    fn empty_box_grows_to_a_point() {
        let mut b = Aabb::EMPTY;
        assert!(b.is_empty());
        b.grow([1.0, 2.0, 3.0]);
        assert_eq!(b, Aabb { min: [1.0, 2.0, 3.0], max: [1.0, 2.0, 3.0] });
    }

    proptest! {
        #[test]
        fn intersection_is_symmetric_and_inside_both(
            a in prop::array::uniform6(-1e3f64..1e3), b in prop::array::uniform6(-1e3f64..1e3)
        ) {
            let mk = |v: [f64; 6]| {
                let mut x = Aabb::EMPTY;
                x.grow([v[0], v[1], v[2]]);
                x.grow([v[3], v[4], v[5]]);
                x
            };
            let (a, b) = (mk(a), mk(b));
            prop_assert_eq!(a.intersection(&b), b.intersection(&a));
            if let Some(i) = a.intersection(&b) {
                prop_assert!(a.union(&i) == a && b.union(&i) == b);
            }
        }
    }
}
