//! The executor: walks parse trees against a data [`Value`] with Go `text/template` semantics
//! (truth, scoping, missing keys, field access errors, range/with/if, template calls).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::error::Error;
use super::funcs::{Arity, CallContext, Special};
use super::gofmt::{format_v, quote};
use super::parse::{
    Arg, Branch, Command, Node, Number, Pipe, Tree, names, split_first, split_last,
};
use super::value::{FuncError, ListKind, MapRef, Value};
use super::{MissingKey, Template};

/// Budget shared by a top-level execution and every nested one (`include`, `tpl`), and the
/// outputs of its memoised template calls.
#[derive(Debug, Default)]
pub struct Shared {
    steps: Cell<u64>,
    /// Calls of impure functions so far (see `FuncMap::mark_impure`).
    effects: Cell<u64>,
    /// Address of the set the top-level execution runs: calls are memoised only in it (a
    /// set cloned by `tpl` may define templates differently).
    root: Cell<usize>,
    /// The deepest template-call depth reached so far.
    deepest: Cell<usize>,
    /// Birth times (see `value::clock`) of the maps changed so far, each recorded when the
    /// map was older than the latest memoised call: a call that began after a map was
    /// born cannot have seen it, so its output stays valid when the map changes.
    changes: RefCell<Vec<u64>>,
    /// Memoised outputs by template name.
    memo: RefCell<super::funcs::FxHashMap<String, Vec<Memo>>>,
}

/// The output of one template call that called no impure function and changed no map
/// older than itself, valid while no map older than the call changes.
#[derive(Debug)]
struct Memo {
    data: DataKey,
    /// Keeps the data alive, so its address cannot be reused by other data.
    _guard: Value,
    /// When the call began (`value::tick`).
    began: u64,
    /// How many changes `Shared::changes` held when the call ended.
    changes_at: usize,
    out: String,
    steps: u64,
    /// How much deeper than its own depth the call went.
    span: usize,
}

/// What identifies a call's data: scalars by value, maps, lists and objects by identity
/// (lists and objects do not change; maps change only through functions that report it).
#[derive(Debug, PartialEq)]
enum DataKey {
    Nil,
    Bool(bool),
    Int(i64),
    Int64(i64),
    Float(u64),
    String(String),
    Map(usize),
    List(usize, ListKind),
    Object(usize),
}

impl DataKey {
    fn of(v: &Value) -> DataKey {
        match v {
            Value::Nil => DataKey::Nil,
            Value::Bool(b) => DataKey::Bool(*b),
            Value::Int(i) => DataKey::Int(*i),
            Value::Int64(i) => DataKey::Int64(*i),
            Value::Float(f) => DataKey::Float(f.to_bits()),
            Value::String(s) => DataKey::String(s.clone()),
            Value::Map(m) => DataKey::Map(Rc::as_ptr(m) as usize),
            Value::List(items, kind) => DataKey::List(Rc::as_ptr(items) as usize, *kind),
            Value::Object(o) => DataKey::Object(Rc::as_ptr(o).cast::<()>() as usize),
        }
    }
}

impl Shared {
    /// Shared state for a top-level execution of `tmpl`.
    pub(crate) fn for_set(tmpl: &Template) -> Shared {
        let shared = Shared::default();
        shared.root.set(std::ptr::from_ref(tmpl) as usize);
        shared
    }

    /// Executes template `name` of `tmpl` at `depth`, or returns the output of an earlier
    /// call of it with the same data when no map the earlier call could have seen has
    /// changed since. Only calls that ran to completion without calling an impure function
    /// or changing a map older than themselves are kept, and reuse never skips an error: a
    /// kept call plus the current depth stays below `depth_limit` and the step budget still
    /// holds its steps.
    pub(crate) fn execute_memoized(
        &self,
        tmpl: &Template,
        name: &str,
        data: &Value,
        depth: usize,
        depth_limit: usize,
    ) -> Result<String, Error> {
        if self.root.get() != std::ptr::from_ref(tmpl) as usize {
            return tmpl.execute_nested(self, name, data, depth);
        }
        let key = DataKey::of(data);
        let limit = depth_limit.min(tmpl.options.max_depth);
        if let Some(out) = self.reuse(name, &key, depth, limit, tmpl.options.max_steps) {
            return Ok(out);
        }
        let began = super::value::tick();
        let (effects, steps) = (self.effects.get(), self.steps.get());
        let changes_before = self.changes.borrow().len();
        let outer_deepest = self.deepest.replace(depth);
        let result = tmpl.execute_nested(self, name, data, depth);
        let span = self.deepest.get().saturating_sub(depth);
        self.deepest.set(outer_deepest.max(self.deepest.get()));
        let changes = self.changes.borrow();
        let pure = self.effects.get() == effects
            && changes[changes_before..].iter().all(|&born| born >= began);
        if let Ok(out) = &result
            && pure
        {
            let memo = Memo {
                data: key,
                _guard: data.clone(),
                began,
                changes_at: changes.len(),
                out: out.clone(),
                steps: self.steps.get() - steps,
                span,
            };
            let mut all = self.memo.borrow_mut();
            let kept = all.entry(name.to_string()).or_default();
            match kept.iter_mut().find(|m| m.data == memo.data) {
                Some(old) => *old = memo,
                None => kept.push(memo),
            }
        }
        result
    }

    /// A kept output for `name` with `key`, if still valid here.
    fn reuse(
        &self,
        name: &str,
        key: &DataKey,
        depth: usize,
        limit: usize,
        max_steps: u64,
    ) -> Option<String> {
        let all = self.memo.borrow();
        let m = all.get(name)?.iter().find(|m| m.data == *key)?;
        let steps = self.steps.get() + m.steps;
        let unchanged = self.changes.borrow()[m.changes_at..]
            .iter()
            .all(|&born| born >= m.began);
        if !unchanged || depth + m.span >= limit || steps > max_steps {
            return None;
        }
        self.steps.set(steps);
        Some(m.out.clone())
    }

    /// Notes that a map born at `born` is about to change.
    pub(crate) fn changed_map_born(&self, born: u64) {
        // A map born at the current time is younger than every call begun so far.
        if born < super::value::clock() {
            self.changes.borrow_mut().push(born);
        }
    }

    /// Notes that a call reached `depth`.
    fn reached(&self, depth: usize) {
        if depth > self.deepest.get() {
            self.deepest.set(depth);
        }
    }

    /// Counts a call of an impure function.
    fn impure_call(&self) {
        self.effects.set(self.effects.get() + 1);
    }
}

/// A value together with whether Go would see it through an `interface{}` (map elements,
/// range elements): that changes error texts and nil handling in field chains.
#[derive(Clone, Debug)]
struct Val {
    v: Value,
    iface: bool,
}

impl Val {
    fn plain(v: Value) -> Val {
        Val { v, iface: false }
    }
}

/// Control flow out of a walked node.
enum Flow {
    Normal,
    Break,
    Continue,
}

/// The node being evaluated, for error contexts.
#[derive(Clone, Copy)]
enum At<'t> {
    None,
    Node(&'t Node),
    Pipe(&'t Pipe),
    Cmd(&'t Command),
    Arg(&'t Arg),
}

impl At<'_> {
    fn pos(&self) -> usize {
        match self {
            At::None => 0,
            At::Node(n) => match n {
                Node::Text { pos, .. }
                | Node::Action { pos, .. }
                | Node::Template { pos, .. }
                | Node::Break { pos }
                | Node::Continue { pos } => *pos,
                Node::If(b) | Node::Range(b) | Node::With(b) => b.pos,
            },
            At::Pipe(p) => p.pos,
            At::Cmd(c) => c.pos,
            At::Arg(a) => a.pos(),
        }
    }

    fn context(&self) -> String {
        match self {
            At::None => String::new(),
            At::Node(n) => n.to_string(),
            At::Pipe(p) => p.to_string(),
            At::Cmd(c) => c.to_string(),
            At::Arg(a) => a.to_string(),
        }
    }
}

struct Var<'t> {
    name: &'t str,
    val: Val,
}

/// One execution of one template tree.
pub(crate) struct Exec<'t> {
    tmpl: &'t Template,
    shared: &'t Shared,
    tree: &'t Tree,
    out: String,
    at: At<'t>,
    vars: Vec<Var<'t>>,
    depth: usize,
    /// For the call being reported: the node Go's `s.at` pointed to after evaluating each
    /// argument (the innermost last node for a parenthesised pipeline), where Go reports the
    /// argument's type error.
    arg_at: Vec<At<'t>>,
    /// Spare buffers for call arguments, reused across calls so a function call does not
    /// allocate its argument vectors each time.
    spare: Spare<'t>,
}

/// Reusable argument buffers (see [`Exec::eval_call_args`]).
#[derive(Default)]
struct Spare<'t> {
    argv: Vec<Value>,
    iface: Vec<bool>,
    at: Vec<At<'t>>,
}

type R<T> = Result<T, Error>;

/// Runs `f` on a stack with room to spare, growing it on the heap when needed, so nesting of
/// templates, control structures and parentheses cannot overflow the thread's stack.
fn grow<T>(f: impl FnOnce() -> T) -> T {
    stacker::maybe_grow(128 * 1024, 2 * 1024 * 1024, f)
}

/// Executes `tree` of `tmpl` with `data` as dot and `$`, at template-call depth `depth`.
pub(crate) fn execute_tree(
    tmpl: &Template,
    shared: &Shared,
    tree: &Tree,
    data: &Value,
    depth: usize,
) -> Result<String, Error> {
    shared.reached(depth);
    let mut e = Exec {
        tmpl,
        shared,
        tree,
        out: String::new(),
        at: At::None,
        vars: vec![Var {
            name: "$",
            val: Val::plain(data.clone()),
        }],
        depth,
        arg_at: Vec::new(),
        spare: Spare::default(),
    };
    if depth > tmpl.options.max_depth {
        return Err(e.errorf(format!(
            "exceeded maximum template depth ({})",
            tmpl.options.max_depth
        )));
    }
    let dot = Val::plain(data.clone());
    grow(|| e.walk_list(&dot, &tree.root))?;
    Ok(e.out)
}

impl<'t> Exec<'t> {
    fn errorf(&self, message: String) -> Error {
        match self.at {
            At::None => Error::ExecNoNode {
                name: self.tree.name.clone(),
                message,
            },
            at => Error::Exec {
                location: self.tree.location(at.pos()),
                name: self.tree.name.clone(),
                context: at.context(),
                message,
            },
        }
    }

    fn step(&self) -> R<()> {
        let n = self.shared.steps.get() + 1;
        self.shared.steps.set(n);
        if n > self.tmpl.options.max_steps {
            return Err(self.errorf(format!(
                "execution exceeded the limit of {} steps",
                self.tmpl.options.max_steps
            )));
        }
        Ok(())
    }

    fn write(&mut self, s: &str) -> R<()> {
        self.out.push_str(s);
        if self.out.len() > self.tmpl.options.max_output {
            return Err(self.errorf(format!(
                "output exceeded the limit of {} bytes",
                self.tmpl.options.max_output
            )));
        }
        Ok(())
    }

    fn walk_list(&mut self, dot: &Val, list: &'t [Node]) -> R<Flow> {
        for n in list {
            match self.walk(dot, n)? {
                Flow::Normal => {}
                f => return Ok(f),
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &Val, node: &'t Node) -> R<Flow> {
        self.step()?;
        self.at = At::Node(node);
        match node {
            Node::Text { text, .. } => self.write(text)?,
            Node::Action { pipe, .. } => {
                let v = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.at = At::Node(node);
                    match &v {
                        Value::String(s) => self.write(s)?,
                        Value::Nil => self.write("<no value>")?,
                        other => self.write(&format_v(other))?,
                    }
                }
            }
            Node::If(b) => return grow(|| self.walk_if_with(dot, b, false)),
            Node::With(b) => return grow(|| self.walk_if_with(dot, b, true)),
            Node::Range(b) => return grow(|| self.walk_range(dot, b, node)),
            Node::Template { name, pipe, .. } => {
                grow(|| self.walk_template(dot, name, pipe.as_deref()))?
            }
            Node::Break { .. } => return Ok(Flow::Break),
            Node::Continue { .. } => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn walk_if_with(&mut self, dot: &Val, b: &'t Branch, is_with: bool) -> R<Flow> {
        let mark = self.vars.len();
        let r = (|| {
            let v = self.eval_pipeline(dot, &b.pipe)?;
            if v.truthy() {
                if is_with {
                    self.walk_list(&Val::plain(v), &b.list)
                } else {
                    self.walk_list(dot, &b.list)
                }
            } else if let Some(e) = &b.else_list {
                self.walk_list(dot, e)
            } else {
                Ok(Flow::Normal)
            }
        })();
        self.vars.truncate(mark);
        r
    }

    fn walk_range(&mut self, dot: &Val, b: &'t Branch, node: &'t Node) -> R<Flow> {
        self.at = At::Node(node);
        let mark = self.vars.len();
        let r = self.walk_range_inner(dot, b);
        self.vars.truncate(mark);
        r.map(|_| Flow::Normal)
    }

    fn walk_range_inner(&mut self, dot: &Val, b: &'t Branch) -> R<()> {
        let mut val = self.eval_pipeline(dot, &b.pipe)?;
        if let Value::Object(o) = &val
            && let Some(items) = o.list_items()
        {
            val = Value::List(items, ListKind::String);
        }
        let mark = self.vars.len();
        let ran = match &val {
            Value::List(items, kind) => {
                let iface = *kind == ListKind::Any;
                let items = items.clone();
                for (i, item) in items.iter().enumerate() {
                    let elem = Val {
                        v: item.clone(),
                        iface,
                    };
                    if !self.one_iteration(b, mark, Val::plain(Value::Int(i as i64)), elem)? {
                        break;
                    }
                }
                !items.is_empty()
            }
            Value::Map(_) | Value::Object(_) if map_entries(&val).is_some() => {
                let (entries, iface) = map_entries(&val).unwrap_or_default();
                for (k, v) in &entries {
                    let elem = Val {
                        v: v.clone(),
                        iface,
                    };
                    if !self.one_iteration(b, mark, Val::plain(Value::String(k.clone())), elem)? {
                        break;
                    }
                }
                !entries.is_empty()
            }
            Value::Int(n) | Value::Int64(n) => {
                if b.pipe.decl.len() > 1 {
                    return Err(self.errorf(format!(
                        "can't use {} to iterate over more than one variable",
                        format_v(&val)
                    )));
                }
                let make = |i: i64| match val {
                    Value::Int64(_) => Value::Int64(i),
                    _ => Value::Int(i),
                };
                for i in 0..*n {
                    if !self.one_iteration(b, mark, Val::plain(Value::Nil), Val::plain(make(i)))? {
                        break;
                    }
                }
                *n > 0
            }
            Value::Nil => false,
            Value::Object(o) if o.length().is_some() => {
                return Err(self.errorf(format!("range can't iterate over {}", o.format_v())));
            }
            other => {
                return Err(self.errorf(format!("range can't iterate over {}", format_v(other))));
            }
        };
        if !ran && let Some(e) = &b.else_list {
            self.walk_list(dot, e)?;
        }
        Ok(())
    }

    /// Runs one range iteration; returns false on `{{break}}`.
    fn one_iteration(&mut self, b: &'t Branch, mark: usize, index: Val, elem: Val) -> R<bool> {
        self.step()?;
        let decl = &b.pipe.decl;
        if !decl.is_empty() {
            if b.pipe.is_assign {
                let first = if decl.len() > 1 {
                    index.clone()
                } else {
                    elem.clone()
                };
                self.set_var(&decl[0], first)?;
            } else {
                self.set_top_var(1, elem.clone());
            }
        }
        if decl.len() > 1 {
            if b.pipe.is_assign {
                self.set_var(&decl[1], elem.clone())?;
            } else {
                self.set_top_var(2, index);
            }
        }
        let r = self.walk_list(&elem, &b.list);
        self.vars.truncate(mark);
        Ok(!matches!(r?, Flow::Break))
    }

    fn walk_template(&mut self, dot: &Val, name: &str, pipe: Option<&'t Pipe>) -> R<()> {
        let Some(tree) = self.tmpl.lookup(name) else {
            return Err(self.errorf(format!("template {} not defined", quote(name))));
        };
        if self.depth >= self.tmpl.options.max_depth {
            return Err(self.errorf(format!(
                "exceeded maximum template depth ({})",
                self.tmpl.options.max_depth
            )));
        }
        let new_dot = match pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Value::Nil,
        };
        let tree: &'t Tree = tree;
        let saved_tree = std::mem::replace(&mut self.tree, tree);
        let saved_vars = std::mem::replace(
            &mut self.vars,
            vec![Var {
                name: "$",
                val: Val::plain(new_dot.clone()),
            }],
        );
        self.depth += 1;
        self.shared.reached(self.depth);
        let r = self.walk_list(&Val::plain(new_dot), &tree.root);
        self.depth -= 1;
        self.tree = saved_tree;
        self.vars = saved_vars;
        r.map(|_| ())
    }

    fn set_var(&mut self, name: &str, val: Val) -> R<()> {
        for v in self.vars.iter_mut().rev() {
            if v.name == name {
                v.val = val;
                return Ok(());
            }
        }
        Err(self.errorf(format!("undefined variable: {name}")))
    }

    fn set_top_var(&mut self, n: usize, val: Val) {
        let len = self.vars.len();
        if n <= len {
            self.vars[len - n].val = val;
        }
    }

    fn var_value(&self, name: &str) -> R<Val> {
        for v in self.vars.iter().rev() {
            if v.name == name {
                return Ok(v.val.clone());
            }
        }
        Err(self.errorf(format!("undefined variable: {name}")))
    }

    /// Evaluates a pipeline; declared variables are pushed (or assigned) with its value.
    fn eval_pipeline(&mut self, dot: &Val, pipe: &'t Pipe) -> R<Value> {
        self.at = At::Pipe(pipe);
        let mut value: Option<Val> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, cmd, value.take())?;
            // Dig through interface{}: results are concrete from here on.
            value = Some(Val::plain(v.v));
        }
        let value = value.map(|v| v.v).unwrap_or_default();
        for name in &pipe.decl {
            if pipe.is_assign {
                self.set_var(name, Val::plain(value.clone()))?;
            } else {
                self.vars.push(Var {
                    name,
                    val: Val::plain(value.clone()),
                });
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &[Arg], final_: &Option<Val>) -> R<()> {
        if args.len() > 1 || final_.is_some() {
            return Err(self.errorf(format!("can't give argument to non-function {}", args[0])));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Val, cmd: &'t Command, final_: Option<Val>) -> R<Val> {
        self.step()?;
        let first = &cmd.args[0];
        match first {
            Arg::Field { path, .. } => {
                self.at = At::Arg(first);
                return self.eval_field_chain(dot, dot.clone(), first, path, &cmd.args, final_);
            }
            Arg::Chain { .. } => return self.eval_chain(dot, first, &cmd.args, final_),
            Arg::Identifier { name, .. } => {
                return self
                    .eval_function(dot, first, name, At::Cmd(cmd), &cmd.args, final_)
                    .map(Val::plain);
            }
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, &final_)?;
                return grow(|| self.eval_pipeline(dot, p)).map(Val::plain);
            }
            Arg::Variable { .. } => return self.eval_variable(dot, first, &cmd.args, final_),
            _ => {}
        }
        self.at = At::Arg(first);
        self.not_a_function(&cmd.args, &final_)?;
        match first {
            Arg::Bool { value, .. } => Ok(Val::plain(Value::Bool(*value))),
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Nil { .. } => Err(self.errorf("nil is not a command".into())),
            Arg::Number { num, .. } => self.ideal_constant(num).map(Val::plain),
            Arg::String { text, .. } => Ok(Val::plain(Value::String(text.to_string()))),
            _ => Err(self.errorf(format!(
                "can't evaluate command {}",
                quote(&first.to_string())
            ))),
        }
    }

    fn ideal_constant(&self, num: &Number) -> R<Value> {
        if num.complex {
            return match super::value::Complex::parse(&num.text) {
                Some(c) => Ok(Value::Object(std::rc::Rc::new(c))),
                None => Err(self.errorf(format!("illegal number syntax: {}", quote(&num.text)))),
            };
        }
        let t = &num.text;
        let is_hex_int = t.len() > 2
            && t.starts_with('0')
            && matches!(t.as_bytes()[1], b'x' | b'X')
            && !t.contains(['p', 'P']);
        let is_rune = t.starts_with('\'');
        if let Some(f) = num.float
            && !is_hex_int
            && !is_rune
            && t.contains(['.', 'e', 'E', 'p', 'P'])
        {
            return Ok(Value::Float(f));
        }
        if let Some(i) = num.int {
            return Ok(Value::Int(i));
        }
        Err(self.errorf(format!("{t} overflows int")))
    }

    fn eval_chain(
        &mut self,
        dot: &Val,
        chain: &'t Arg,
        args: &'t [Arg],
        final_: Option<Val>,
    ) -> R<Val> {
        self.at = At::Arg(chain);
        let Arg::Chain { node, fields, .. } = chain else {
            return Err(self.errorf("internal error: not a chain".into()));
        };
        if let Arg::Nil { .. } = **node {
            return Err(self.errorf(format!("indirection through explicit nil in {chain}")));
        }
        let recv = self.eval_arg(dot, node)?;
        self.eval_field_chain(dot, recv, chain, fields, args, final_)
    }

    fn eval_variable(
        &mut self,
        dot: &Val,
        var: &'t Arg,
        args: &'t [Arg],
        final_: Option<Val>,
    ) -> R<Val> {
        self.at = At::Arg(var);
        let Arg::Variable { path, .. } = var else {
            return Err(self.errorf("internal error: not a variable".into()));
        };
        let (name, fields) = split_first(path);
        let value = self.var_value(name)?;
        let Some(fields) = fields else {
            self.not_a_function(args, &final_)?;
            return Ok(value);
        };
        self.eval_field_chain(dot, value, var, fields, args, final_)
    }

    fn eval_field_chain(
        &mut self,
        dot: &Val,
        mut recv: Val,
        node: &'t Arg,
        path: &'t str,
        args: &'t [Arg],
        final_: Option<Val>,
    ) -> R<Val> {
        let (walk, last) = split_last(path);
        for ident in walk.into_iter().flat_map(names) {
            recv = self.eval_field(dot, ident, node, &[], None, recv)?;
        }
        self.eval_field(dot, last, node, args, final_, recv)
    }

    fn eval_field(
        &mut self,
        dot: &Val,
        name: &str,
        node: &'t Arg,
        args: &'t [Arg],
        final_: Option<Val>,
        recv: Val,
    ) -> R<Val> {
        let missing = self.tmpl.options.missing_key;
        // The receiver's type name, for error texts only.
        let typ = || {
            if recv.iface {
                "interface {}".to_string()
            } else {
                recv.v.type_name()
            }
        };
        let has_args = args.len() > 1 || final_.is_some();
        match &recv.v {
            Value::Nil if !recv.iface => {
                if missing == MissingKey::Error {
                    return Err(self.errorf(format!("nil data; no entry for key {}", quote(name))));
                }
                Ok(Val::plain(Value::Nil))
            }
            Value::Nil => Err(self.errorf(format!("nil pointer evaluating {}.{name}", typ()))),
            Value::Object(o) if o.as_map().is_none() || o.has_method(name) => {
                if o.has_method(name) {
                    let (argv, iface) = self.eval_call_args(dot, args, final_)?;
                    let r = o.call_method(name, &argv);
                    self.recycle(argv, iface);
                    return match r {
                        Ok(v) => Ok(Val::plain(v)),
                        Err(e) => {
                            self.at = At::Arg(node);
                            Err(self.func_error(name, e, args))
                        }
                    };
                }
                match o.field(name) {
                    Some(v) => {
                        if has_args {
                            return Err(self.errorf(format!(
                                "{name} has arguments but cannot be invoked as function"
                            )));
                        }
                        Ok(Val::plain(v))
                    }
                    None => {
                        Err(self.errorf(format!("can't evaluate field {name} in type {}", typ())))
                    }
                }
            }
            Value::Object(o) if o.as_map().is_some() && !o.has_method(name) => {
                let m = o.as_map().cloned().unwrap_or_default();
                self.map_field(&m, name, has_args)
            }
            Value::Map(m) => self.map_field(m, name, has_args),
            _ => Err(self.errorf(format!("can't evaluate field {name} in type {}", typ()))),
        }
    }

    /// Field access on a map: the element as `interface{}`, or the missing-key behaviour.
    fn map_field(&mut self, m: &MapRef, name: &str, has_args: bool) -> R<Val> {
        if has_args {
            return Err(self.errorf(format!("{name} is not a method but has arguments")));
        }
        let got = m.borrow().get(name).cloned();
        match got {
            Some(v) => Ok(Val { v, iface: true }),
            None => match self.tmpl.options.missing_key {
                MissingKey::Default => Ok(Val::plain(Value::Nil)),
                MissingKey::Zero => Ok(Val {
                    v: Value::Nil,
                    iface: true,
                }),
                MissingKey::Error => {
                    Err(self.errorf(format!("map has no entry for key {}", quote(name))))
                }
            },
        }
    }

    /// Evaluates call arguments (`args[0]` is the function itself) plus the piped value.
    fn eval_call_args(
        &mut self,
        dot: &Val,
        args: &'t [Arg],
        final_: Option<Val>,
    ) -> R<(Vec<Value>, Vec<bool>)> {
        // Arguments may contain calls themselves: those find the spare buffers taken and
        // allocate their own.
        let mut argv = std::mem::take(&mut self.spare.argv);
        let mut iface = std::mem::take(&mut self.spare.iface);
        let mut ats = std::mem::take(&mut self.spare.at);
        argv.reserve(args.len());
        iface.reserve(args.len());
        ats.reserve(args.len());
        for a in args.iter().skip(1) {
            let v = self.eval_arg(dot, a)?;
            ats.push(self.at);
            iface.push(v.iface);
            argv.push(v.v);
        }
        if let Some(f) = final_ {
            // The piped value has no node: Go reports it wherever `at` was left.
            ats.push(self.at);
            iface.push(f.iface);
            argv.push(f.v);
        }
        let mut old = std::mem::replace(&mut self.arg_at, ats);
        old.clear();
        if old.capacity() > self.spare.at.capacity() {
            self.spare.at = old;
        }
        Ok((argv, iface))
    }

    /// Gives the argument buffers of a finished call back for reuse.
    fn recycle(&mut self, mut argv: Vec<Value>, mut iface: Vec<bool>) {
        argv.clear();
        iface.clear();
        if argv.capacity() > self.spare.argv.capacity() {
            self.spare.argv = argv;
        }
        if iface.capacity() > self.spare.iface.capacity() {
            self.spare.iface = iface;
        }
    }

    fn eval_arg(&mut self, dot: &Val, n: &'t Arg) -> R<Val> {
        self.at = At::Arg(n);
        match n {
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Nil { .. } => Ok(Val::plain(Value::Nil)),
            Arg::Field { path, .. } => {
                self.eval_field_chain(dot, dot.clone(), n, path, std::slice::from_ref(n), None)
            }
            Arg::Variable { .. } => self.eval_variable(dot, n, &[], None),
            Arg::Pipe(p) => grow(|| self.eval_pipeline(dot, p)).map(Val::plain),
            Arg::Identifier { name, .. } => self
                .eval_function(dot, n, name, At::Arg(n), &[], None)
                .map(Val::plain),
            Arg::Chain { .. } => self.eval_chain(dot, n, &[], None),
            Arg::Bool { value, .. } => Ok(Val::plain(Value::Bool(*value))),
            Arg::Number { num, .. } => self.ideal_constant(num).map(Val::plain),
            Arg::String { text, .. } => Ok(Val::plain(Value::String(text.to_string()))),
        }
    }

    fn eval_function(
        &mut self,
        dot: &Val,
        ident: &'t Arg,
        name: &str,
        call_node: At<'t>,
        args: &'t [Arg],
        final_: Option<Val>,
    ) -> R<Value> {
        self.at = At::Arg(ident);
        let Some(func) = self.tmpl.funcs.get(name).cloned() else {
            return Err(self.errorf(format!("{} is not a defined function", quote(name))));
        };
        if !func.pure {
            self.shared.impure_call();
        }
        let nargs = args.len().saturating_sub(1);
        let num_in = nargs + usize::from(final_.is_some());
        match func.arity {
            Arity::Exact(n) if num_in != n => {
                return Err(self.errorf(format!(
                    "wrong number of args for {name}: want {n} got {num_in}"
                )));
            }
            Arity::AtLeast(n) if num_in < n => {
                return Err(self.errorf(format!(
                    "wrong number of args for {name}: want at least {n} got {nargs}"
                )));
            }
            _ => {}
        }
        if matches!(func.special, Special::And | Special::Or) {
            let want = matches!(func.special, Special::Or);
            let mut v = Value::Nil;
            for a in args.iter().skip(1) {
                v = self.eval_arg(dot, a)?.v;
                if v.truthy() == want {
                    return Ok(v);
                }
            }
            if let Some(f) = final_ {
                v = f.v;
            }
            return Ok(v);
        }
        let (argv, iface) = self.eval_call_args(dot, args, final_)?;
        let mut ctx = CallContext::new(
            self.tmpl,
            self.shared,
            self.depth,
            name,
            &self.tree.name,
            &iface,
        )
        .with_nodes(args);
        let r = (func.call)(&mut ctx, &argv);
        self.recycle(argv, iface);
        match r {
            Ok(v) => Ok(v),
            Err(e) => {
                self.at = call_node;
                Err(self.func_error(name, e, args))
            }
        }
    }

    fn func_error(&mut self, name: &str, e: FuncError, args: &'t [Arg]) -> Error {
        match e {
            FuncError::Call(msg) => self.errorf(format!("error calling {name}: {msg}")),
            FuncError::Exec(msg) => self.errorf(msg),
            FuncError::WrongType { arg, expected, got } => {
                self.at_arg(args, arg);
                if let Some(msg) = constant_arg_error(args.get(arg + 1), &expected) {
                    return self.errorf(msg);
                }
                self.errorf(format!(
                    "wrong type for value; expected {expected}; got {got}"
                ))
            }
            FuncError::InvalidValue { arg, expected } => {
                self.at_arg(args, arg);
                if let Some(msg) = constant_arg_error(args.get(arg + 1), &expected) {
                    return self.errorf(msg);
                }
                self.errorf(format!("invalid value; expected {expected}"))
            }
        }
    }
}

impl<'t> Exec<'t> {
    /// Points error reporting at argument `arg` (0-based, after the function name); the piped
    /// value has no node, so Go reports it at the last node evaluated.
    fn at_arg(&mut self, args: &'t [Arg], arg: usize) {
        if let Some(at) = self.arg_at.get(arg) {
            self.at = *at;
        } else if let Some(a) = args.get(arg + 1).or_else(|| args.last()) {
            self.at = At::Arg(a);
        }
    }
}

/// The sorted entries of a map-like value and whether its elements are `interface{}`:
/// a map, or an object exposing Go map entries (e.g. Helm's `.Files`).
fn map_entries(v: &Value) -> Option<(Vec<(String, Value)>, bool)> {
    match v {
        Value::Map(m) => Some((
            m.borrow()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            true,
        )),
        Value::Object(o) => match o.as_map() {
            Some(m) => map_entries(&Value::Map(m.clone())),
            None => o.map_entries().map(|e| (e, false)),
        },
        _ => None,
    }
}

/// Go's `evalArg` wording when a constant operand does not fit the parameter type `expected`:
/// constants are checked by kind (`expected string; found 3`), not through `validateType`.
fn constant_arg_error(node: Option<&Arg>, expected: &str) -> Option<String> {
    let node = node?;
    if let Arg::Nil { .. } = node {
        return Some(format!("cannot assign nil to {expected}"));
    }
    if !matches!(
        node,
        Arg::Bool { .. } | Arg::Number { .. } | Arg::String { .. }
    ) {
        return None;
    }
    let kind = match expected {
        "string" => "string",
        "bool" => "bool",
        "int" | "int8" | "int16" | "int32" | "int64" => "integer",
        "uint" | "uint8" | "uint16" | "uint32" | "uint64" | "uintptr" => "unsigned integer",
        "float32" | "float64" => "float",
        _ => return Some(format!("can't handle {node} for arg of type {expected}")),
    };
    Some(format!("expected {kind}; found {node}"))
}
