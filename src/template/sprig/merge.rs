//! Sprig's `merge`, `mergeOverwrite` and `deepCopy`. Merging follows `dario.cat/mergo` as Sprig
//! calls it on `map[string]interface{}`: in place on the destination, nested maps merged
//! recursively, sources' maps and slices shared rather than copied.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::super::funcs::{Arity, FuncMap};
use super::super::value::{FuncError, MAX_NESTING, MapRef, Value};
use super::empty;

/// Merges `src` into `dst` as `mergo.Merge` (or `MergeWithOverwrite` when `overwrite`) does.
pub fn merge_into(dst: &MapRef, src: &MapRef, overwrite: bool) {
    merge_at(dst, src, overwrite, 0);
}

fn merge_at(dst: &MapRef, src: &MapRef, overwrite: bool, depth: usize) {
    if depth > MAX_NESTING || Rc::ptr_eq(dst, src) {
        return;
    }
    let entries: Vec<(String, Value)> = src
        .borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (key, sv) in entries {
        let dv = dst.borrow().get(&key).cloned();
        match &sv {
            Value::Nil => {
                if overwrite {
                    dst.borrow_mut().insert(key, Value::Nil);
                }
                continue;
            }
            Value::Map(sm) => {
                if let Some(Value::Map(dm)) = &dv {
                    merge_at(dm, sm, overwrite, depth + 1);
                }
            }
            Value::List(_, kind) => {
                // mergo tests the emptiness of the parent destination map here.
                let replace = overwrite || dst.borrow().is_empty();
                let slice = if replace {
                    sv.clone()
                } else {
                    match &dv {
                        Some(v) if !v.is_nil() => v.clone(),
                        _ => Value::List(Rc::new(Vec::new()), *kind),
                    }
                };
                dst.borrow_mut().insert(key.clone(), slice);
            }
            _ => {}
        }
        let container = matches!(sv, Value::Map(_) | Value::List(..));
        if let Some(d) = &dv
            && container
            && !empty(d)
        {
            continue;
        }
        if overwrite || dv.as_ref().is_none_or(empty) {
            dst.borrow_mut().insert(key, sv);
        }
    }
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
        Value::List(items, kind) => Value::List(
            Rc::new(items.iter().map(|x| deep_copy_at(x, depth + 1)).collect()),
            *kind,
        ),
        Value::Map(m) => {
            let copy: BTreeMap<String, Value> = m
                .borrow()
                .iter()
                .map(|(k, x)| (k.clone(), deep_copy_at(x, depth + 1)))
                .collect();
            Value::from(copy)
        }
        Value::Object(o) if o.as_map().is_some() => {
            let m = o.as_map().cloned().unwrap_or_default();
            deep_copy_at(&Value::Map(m), depth)
        }
        other => other.clone(),
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
                let d = dst.get_or_insert_with(|| Rc::new(RefCell::new(BTreeMap::new())));
                merge_into(d, &src, overwrite);
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
