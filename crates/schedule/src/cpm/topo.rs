//! Topological order of the network, and the cycle that prevents one.

use crate::{Schedule, ScheduleError};

/// Kahn's algorithm over the network's tasks, in schedule order among ready tasks so the result
/// is deterministic. Tasks left over lie on or behind a cycle; one cycle is named.
pub(crate) fn topological_order(
    schedule: &Schedule,
    in_net: &[bool],
    deps: &[&crate::Dependency],
) -> Result<Vec<usize>, ScheduleError> {
    let n = schedule.tasks.len();
    let mut indegree = vec![0usize; n];
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for d in deps {
        indegree[d.successor] += 1;
        succs[d.predecessor].push(d.successor);
    }
    let mut ready: std::collections::BTreeSet<usize> =
        (0..n).filter(|&i| in_net[i] && indegree[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(i) = ready.pop_first() {
        order.push(i);
        for &j in &succs[i] {
            indegree[j] -= 1;
            if indegree[j] == 0 {
                ready.insert(j);
            }
        }
    }
    let in_count = in_net.iter().filter(|&&b| b).count();
    if order.len() == in_count {
        return Ok(order);
    }
    // Every leftover task has a leftover predecessor: walking predecessors must revisit one.
    let mut pred_of: Vec<Option<usize>> = vec![None; n];
    for d in deps {
        if indegree[d.successor] > 0 && indegree[d.predecessor] > 0 && pred_of[d.successor].is_none() {
            pred_of[d.successor] = Some(d.predecessor);
        }
    }
    let start = (0..n).find(|&i| in_net[i] && indegree[i] > 0).unwrap_or(0);
    let mut seen = vec![usize::MAX; n];
    let mut walk = Vec::new();
    let mut at = start;
    while seen[at] == usize::MAX {
        seen[at] = walk.len();
        walk.push(at);
        match pred_of[at] {
            Some(p) => at = p,
            None => break,
        }
    }
    let from = if seen[at] != usize::MAX { seen[at] } else { 0 };
    let mut cycle: Vec<usize> = walk[from..].to_vec();
    // The walk went backwards along predecessors; name the cycle in dependency order.
    cycle.reverse();
    if let Some(&first) = cycle.first() {
        cycle.push(first);
    }
    Err(ScheduleError::Cycle { tasks: cycle.into_iter().map(|i| schedule.tasks[i].id.clone()).collect() })
}
