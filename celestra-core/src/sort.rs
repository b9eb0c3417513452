//! The engine's one sort: stable, on any slice, with any comparator.
//!
//! The slice methods (`sort`, `sort_by`, `sort_unstable`...) and `collect` into a `BTreeMap`
//! build a complete sort (driftsort or ipnsort, ~5 KB each) for every element type and
//! comparator: the engine had 24 of them, 7% of the browser engine's code. Here the sorting
//! itself is one non-generic merge sort over indices that calls the comparator through `dyn`;
//! what stays generic per call site is a few lines (the comparator and moving elements into
//! place). Clippy refuses the slice methods in the core (clippy.toml).
//!
//! Cost: one `Vec<usize>` of the length plus a buffer; the engine sorts at most a few
//! thousand items at a time (nodes, diagnostics, ledger lines), far from the hot path.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// `items` in a set, inserted one by one (`collect` would sort them first, with a sort of its
/// own for the type).
pub(crate) fn set<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut s = BTreeSet::new();
    s.extend(items);
    s
}

/// The strings of `items`, sorted, each once: a set of borrowed strings without a set type of
/// its own (look one up with `binary_search`).
pub(crate) fn strs<'a>(items: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut v: Vec<&str> = items.into_iter().collect();
    sort(&mut v);
    v.dedup();
    v
}

/// `entries` in a JSON object, inserted one by one (see [`map`]).
pub(crate) fn object(
    entries: impl IntoIterator<Item = (String, serde_json::Value)>,
) -> serde_json::Map<String, serde_json::Value> {
    let mut m = serde_json::Map::new();
    m.extend(entries);
    m
}

/// `entries` in a map, inserted one by one (a repeated key: the last one wins, as with
/// `collect`).
pub(crate) fn map<K: Ord, V>(entries: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut m = BTreeMap::new();
    m.extend(entries);
    m
}

/// Sorts `v` in ascending order, stably.
pub(crate) fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, Ord::cmp);
}

/// Sorts `v` by the key `f` gives, stably.
pub(crate) fn sort_by_key<T, K: Ord>(v: &mut [T], mut f: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| f(a).cmp(&f(b)));
}

/// Sorts `v` by `cmp`, stably (equal elements keep their order).
pub(crate) fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = {
        let items: &[T] = v;
        sorted_indices(items.len(), &mut |a, b| {
            cmp(&items[a], &items[b]) == Ordering::Greater
        })
    };
    permute(v, &order);
}

/// Puts element `order[k]` at position `k`, following each cycle of the permutation once.
fn permute<T>(v: &mut [T], order: &[usize]) {
    let mut placed = vec![false; v.len()];
    for start in 0..v.len() {
        if placed[start] {
            continue;
        }
        let mut at = start;
        loop {
            placed[at] = true;
            let from = order[at];
            if from == start {
                break;
            }
            // `at` gets its element; the one that was there moves on to `from`.
            v.swap(at, from);
            at = from;
        }
    }
}

/// The indices `0..n` in stable sorted order; `greater(a, b)` says whether item `a` sorts
/// after item `b`. Insertion-sorted runs, then bottom-up merges.
fn sorted_indices(n: usize, greater: &mut dyn FnMut(usize, usize) -> bool) -> Vec<usize> {
    const RUN: usize = 16;
    let mut a: Vec<usize> = (0..n).collect();
    for start in (0..n).step_by(RUN) {
        let end = (start + RUN).min(n);
        for i in start + 1..end {
            let x = a[i];
            let mut j = i;
            while j > start && greater(a[j - 1], x) {
                a[j] = a[j - 1];
                j -= 1;
            }
            a[j] = x;
        }
    }
    let mut b = vec![0; n];
    let mut width = RUN;
    while width < n {
        for lo in (0..n).step_by(2 * width) {
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            let (mut i, mut j) = (lo, mid);
            for slot in &mut b[lo..hi] {
                // The left item first unless the right one is strictly smaller: stable.
                if i < mid && (j >= hi || !greater(a[i], a[j])) {
                    *slot = a[i];
                    i += 1;
                } else {
                    *slot = a[j];
                    j += 1;
                }
            }
        }
        std::mem::swap(&mut a, &mut b);
        width *= 2;
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (no test dependencies in the core).
    fn numbers(seed: u64, n: usize, range: u64) -> Vec<u64> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x % range
            })
            .collect()
    }

    #[test]
    fn agrees_with_the_standard_stable_sort_at_every_size() {
        for n in (0..70).chain([127, 128, 129, 500, 1000, 4097]) {
            for (seed, range) in [(1, 5), (2, 1000), (3, u64::MAX)] {
                // (key, original position): stability shows in the positions.
                let items: Vec<(u64, usize)> = numbers(seed + n as u64, n, range)
                    .into_iter()
                    .enumerate()
                    .map(|(i, k)| (k, i))
                    .collect();
                let mut ours = items.clone();
                sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
                let mut std_sorted = items.clone();
                #[allow(clippy::disallowed_methods)]
                std_sorted.sort_by_key(|a| a.0);
                assert_eq!(ours, std_sorted, "n={n} seed={seed}");
            }
        }
    }

    #[test]
    fn sorted_reversed_and_equal_inputs() {
        let mut up: Vec<u32> = (0..300).collect();
        sort(&mut up);
        assert!(up.windows(2).all(|w| w[0] < w[1]));
        let mut down: Vec<u32> = (0..300).rev().collect();
        sort(&mut down);
        assert_eq!(down, (0..300).collect::<Vec<_>>());
        let mut same = vec![(7, "a"), (7, "b"), (7, "c")];
        sort_by_key(&mut same, |p| p.0);
        assert_eq!(same, [(7, "a"), (7, "b"), (7, "c")]);
        let mut words = vec!["pear".to_owned(), "apple".into(), "fig".into()];
        sort(&mut words);
        assert_eq!(words, ["apple", "fig", "pear"]);
    }
}
