//! Sprig's `merge`, `mergeOverwrite` and `deepCopy`. Merging follows `dario.cat/mergo` as Sprig
//! calls it on `map[string]interface{}`: in place on the destination, nested maps merged
//! recursively, sources' maps and slices shared rather than copied.
//!
//! Merging walks each source map in key order without copying its entries: the walk only
//! reads the source and clones a value when it is actually stored into the destination.
//! A source map must then not change while it is being walked; that can only happen when a
//! destination map reached by the recursion is also a source map being walked (maps that
//! contain each other through `set`). The walk detects that case before any change and
//! switches every active level to a snapshot of its remaining entries, so the result is
//! exactly that of snapshotting every source map up front.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::rc::Rc;

use super::super::funcs::{Arity, FuncMap};
use super::super::value::{FuncError, MAX_NESTING, MapCell, MapRef, Value};
use super::empty;

/// Merges `src` into `dst` as `mergo.Merge` (or `MergeWithOverwrite` when `overwrite`) does.
/// Returns the earliest birth time (see `value::clock`) of the maps it changed, if any.
pub fn merge_into(dst: &MapRef, src: &MapRef, overwrite: bool) -> Option<u64> {
    let mut oldest = None;
    merge_at(dst, src, overwrite, 0, &mut Vec::new(), &mut oldest);
    oldest
}

/// Notes that `m` is about to change.
fn changing(m: &MapRef, oldest: &mut Option<u64>) {
    let born = m.born();
    *oldest = Some(oldest.map_or(born, |o| o.min(born)));
}

/// One source map being walked by [`merge_at`].
struct Level {
    src: MapRef,
    /// The key of the entry being processed (entries after it remain).
    last: Option<String>,
    /// Remaining entries, reversed, once the walk had to switch to a snapshot.
    rest: Option<Vec<(String, Value)>>,
}

/// The source entry after `last` (the first when `None`).
fn entry_after<'m>(
    src: &'m BTreeMap<String, Value>,
    last: Option<&str>,
) -> Option<(&'m String, &'m Value)> {
    match last {
        None => src.iter().next(),
        Some(k) => src
            .range::<str, _>((Bound::Excluded(k), Bound::Unbounded))
            .next(),
    }
}

/// Switches every active level to a snapshot of its remaining entries.
fn snapshot_levels(levels: &mut [Level]) {
    for level in levels {
        if level.rest.is_some() {
            continue;
        }
        let src = level.src.borrow();
        let mut rest: Vec<(String, Value)> = match &level.last {
            None => src.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            Some(k) => src
                .range::<str, _>((Bound::Excluded(k.as_str()), Bound::Unbounded))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        };
        rest.reverse();
        level.rest = Some(rest);
    }
}

/// What the destination held under a key before the source entry was merged.
enum Dest {
    Absent,
    /// A map: merged into, and its emptiness judged afterwards.
    Map(MapRef),
    /// Any other value, with its emptiness.
    Other {
        empty: bool,
    },
}

impl Dest {
    fn of(dst: &MapRef, key: &str) -> Dest {
        match dst.borrow().get(key) {
            None => Dest::Absent,
            Some(Value::Map(m)) => Dest::Map(m.clone()),
            Some(v) => Dest::Other { empty: empty(v) },
        }
    }

    /// Whether mergo may store the source value here (absent or empty destination).
    fn replaceable(&self) -> bool {
        match self {
            Dest::Absent => true,
            Dest::Map(m) => m.borrow().is_empty(),
            Dest::Other { empty } => *empty,
        }
    }
}

/// How a source value is merged, decided without cloning it when nothing is stored.
enum Action {
    Skip,
    Store(Value),
    Recurse(MapRef, MapRef),
}

fn decide(sv: &Value, dst: &MapRef, key: &str, overwrite: bool) -> (Action, Dest) {
    let dv = Dest::of(dst, key);
    let action = match sv {
        Value::Nil if overwrite => Action::Store(Value::Nil),
        Value::Nil => Action::Skip,
        Value::Map(sm) => match &dv {
            Dest::Map(dm) => Action::Recurse(dm.clone(), sm.clone()),
            _ if dv.replaceable() => Action::Store(sv.clone()),
            _ => Action::Skip,
        },
        _ if overwrite || dv.replaceable() => Action::Store(sv.clone()),
        _ => Action::Skip,
    };
    (action, dv)
}

/// Decides the merge of the source entry after `levels[me].last` (which becomes its key);
/// `None` when the level's entries are done.
fn next_action(
    levels: &mut [Level],
    me: usize,
    src: &MapRef,
    dst: &MapRef,
    overwrite: bool,
) -> Option<(Action, Dest)> {
    let level = &mut levels[me];
    if let Some(rest) = &mut level.rest {
        let (k, sv) = rest.pop()?;
        let decided = decide(&sv, dst, &k, overwrite);
        level.last = Some(k);
        return Some(decided);
    }
    let src = src.borrow();
    let (k, sv) = entry_after(&src, level.last.as_deref())?;
    let decided = decide(sv, dst, k, overwrite);
    match &mut level.last {
        Some(last) => {
            last.clear();
            last.push_str(k);
        }
        None => level.last = Some(k.clone()),
    }
    Some(decided)
}

fn merge_at(
    dst: &MapRef,
    src: &MapRef,
    overwrite: bool,
    depth: usize,
    levels: &mut Vec<Level>,
    oldest: &mut Option<u64>,
) {
    if depth > MAX_NESTING || Rc::ptr_eq(dst, src) {
        return;
    }
    levels.push(Level {
        src: src.clone(),
        last: None,
        rest: None,
    });
    let me = levels.len() - 1;
    while let Some((action, dv)) = next_action(levels, me, src, dst, overwrite) {
        match action {
            Action::Skip => {}
            Action::Store(v) => {
                let key = levels[me].last.clone().unwrap_or_default();
                changing(dst, oldest);
                dst.borrow_mut().insert(key, v);
            }
            Action::Recurse(dm, sm) => {
                if levels.iter().any(|l| Rc::ptr_eq(&l.src, &dm)) {
                    snapshot_levels(levels);
                }
                merge_at(&dm, &sm, overwrite, depth + 1, levels, oldest);
                // mergo then stores the source map only over a (still) empty destination.
                if dv.replaceable() {
                    let key = levels[me].last.clone().unwrap_or_default();
                    changing(dst, oldest);
                    dst.borrow_mut().insert(key, Value::Map(sm));
                }
            }
        }
    }
    levels.pop();
}

/// A deep copy of maps and lists (Sprig's `deepCopy`); objects stay shared.
pub fn deep_copy(v: &Value) -> Value {
    deep_copy_at(v, 0)
}

fn deep_copy_at(v: &Value, depth: usize) -> Value {
    if depth > MAX_NESTING {
        return Value::Nil;
    }
    match v {
        Value::List(items, kind) => {
            // Cloning the vector copies scalars directly; containers are then replaced.
            let mut copy: Vec<Value> = items.as_ref().clone();
            for x in &mut copy {
                deep_copy_in_place(x, depth + 1);
            }
            Value::List(Rc::new(copy), *kind)
        }
        Value::Map(m) => {
            // `BTreeMap::clone` copies the tree node by node (no sorting); nested maps and
            // lists, shared by that clone, are then replaced by their own deep copies.
            let mut copy: BTreeMap<String, Value> = m.borrow().clone();
            for x in copy.values_mut() {
                deep_copy_in_place(x, depth + 1);
            }
            Value::from(copy)
        }
        Value::Object(o) if o.as_map().is_some() => {
            let m = o.as_map().cloned().unwrap_or_default();
            deep_copy_at(&Value::Map(m), depth)
        }
        other => other.clone(),
    }
}

/// Replaces a freshly cloned (hence shared) container by its deep copy (and, as the
/// element-wise copy does, anything nested too deep by nil).
fn deep_copy_in_place(x: &mut Value, depth: usize) {
    if depth > MAX_NESTING {
        *x = Value::Nil;
        return;
    }
    let container = match x {
        Value::List(..) | Value::Map(_) => true,
        Value::Object(o) => o.as_map().is_some(),
        _ => false,
    };
    if container {
        *x = deep_copy_at(x, depth);
    }
}

/// Registers `merge`, `mergeOverwrite` and `deepCopy`.
pub(super) fn register(m: &mut FuncMap) {
    for (name, overwrite) in [("merge", false), ("mergeOverwrite", true)] {
        m.register(name, Arity::AtLeast(1), move |ctx, a| {
            let mut dst = ctx.map_arg(a, 0)?;
            for i in 1..a.len() {
                let Some(src) = ctx.map_arg(a, i)? else {
                    continue;
                };
                let d = dst.get_or_insert_with(|| MapCell::new_ref(BTreeMap::new()));
                if let Some(born) = merge_into(d, &src, overwrite) {
                    ctx.changed_map_born(born);
                }
            }
            Ok(dst.map(Value::Map).unwrap_or_else(Value::new_map))
        });
    }
    m.register("deepCopy", Arity::Exact(1), |_, a| {
        if a[0].is_nil() {
            // copystructure reflects on the nil interface and panics.
            return Err(FuncError::Call(
                "reflect: call of reflect.Value.Type on zero Value".into(),
            ));
        }
        Ok(deep_copy(&a[0]))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(v: serde_json::Value) -> MapRef {
        Value::from_json(&v).as_map().cloned().unwrap_or_default()
    }

    fn json(m: &MapRef) -> serde_json::Value {
        Value::Map(m.clone()).to_json()
    }

    #[test]
    fn merge_follows_mergo() {
        let src = serde_json::json!({"a": {"x": 1}, "b": "y", "c": "z", "l": [2], "n": null, "m": {"k": 1}, "e": {"k": 2}});
        let dst = map(
            serde_json::json!({"a": {}, "b": "", "c": "x", "l": [1], "n": 3, "m": "s", "e": ""}),
        );
        merge_into(&dst, &map(src.clone()), false);
        assert_eq!(
            json(&dst),
            serde_json::json!({"a": {"x": 1}, "b": "y", "c": "x", "l": [1], "n": 3, "m": "s", "e": {"k": 2}})
        );
        let dst =
            map(serde_json::json!({"a": {"w": 0}, "b": "", "c": "x", "l": [1], "n": 3, "m": "s"}));
        merge_into(&dst, &map(src), true);
        assert_eq!(
            json(&dst),
            serde_json::json!({"a": {"w": 0, "x": 1}, "b": "y", "c": "z", "l": [2], "n": null, "m": "s", "e": {"k": 2}})
        );
    }

    #[test]
    fn merge_walks_a_snapshot_of_sources_changed_by_the_merge() {
        // D.a is S itself: merging S.a into D.a adds `q` to S while S is being walked; the
        // walk must not see it (every source is read as it was when the merge started).
        let s = map(serde_json::json!({"a": {"q": 1}, "z": 2}));
        let d = map(serde_json::json!({}));
        d.borrow_mut().insert("a".into(), Value::Map(s.clone()));
        merge_into(&d, &s, false);
        assert_eq!(json(&s), serde_json::json!({"a": {"q": 1}, "q": 1, "z": 2}));
        let keys: Vec<String> = d.borrow().keys().cloned().collect();
        assert_eq!(keys, ["a", "z"]);
    }

    #[test]
    fn deep_copy_does_not_alias() {
        let m = map(serde_json::json!({"a": {"b": [{"c": 1}]}, "s": "x"}));
        let copy = deep_copy(&Value::Map(m.clone()));
        assert_eq!(copy, Value::Map(m.clone()));
        let Some(cm) = copy.as_map() else {
            panic!("not a map")
        };
        let inner = cm.borrow()["a"].clone();
        inner
            .as_map()
            .unwrap()
            .borrow_mut()
            .insert("new".into(), Value::Int(1));
        assert!(
            !m.borrow()["a"]
                .as_map()
                .unwrap()
                .borrow()
                .contains_key("new")
        );
    }
}
