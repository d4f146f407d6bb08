//! Rust code for the kinds: `typify` turns each spec schema into types, a pass over the syntax
//! tree makes them lossless, and handlebars templates add the `kube::CustomResource` glue.

use std::error::Error;

use handlebars::{Handlebars, handlebars_helper};
use serde_json::{Value, json};
use syn::visit_mut::{self, VisitMut};
use syn::{Attribute, Field, ItemStruct, Type};
use typify::{TypeSpace, TypeSpaceSettings};

/// The templates under `build/templates/`, compiled into the build script.
const TEMPLATES: &[(&str, &str)] = &[
    ("spec_attrs", include_str!("templates/spec_attrs.rs.hbs")),
    ("kind", include_str!("templates/kind.rs.hbs")),
    ("kinds", include_str!("templates/kinds.rs.hbs")),
];

type BoxError = Box<dyn Error>;

handlebars_helper!(lit: |v: Value| match v {
    Value::String(s) => format!("{s:?}"),
    other => format!("{:?}", other.to_string()),
});

/// Handlebars with our templates registered, no HTML escaping, strict about missing names.
pub fn templates() -> Result<Handlebars<'static>, BoxError> {
    let mut hb = Handlebars::new();
    hb.register_escape_fn(handlebars::no_escape);
    hb.set_strict_mode(true);
    hb.register_helper("lit", Box::new(lit));
    for (name, text) in TEMPLATES {
        hb.register_template_string(name, *text)?;
    }
    Ok(hb)
}

/// Generates the Rust types of one kind's spec from its typify schema, with the
/// `CustomResource` derive (rendered from `spec_attrs`) on the spec struct.
pub fn spec_types(
    hb: &Handlebars<'_>,
    kind: &str,
    typify_schema: &Value,
    glue: &Value,
) -> Result<String, BoxError> {
    let spec_name = format!("{kind}Spec");
    let schema: schemars08::schema::Schema = serde_json::from_value(typify_schema.clone())?;
    let mut settings = TypeSpaceSettings::default();
    settings
        .with_struct_builder(false)
        .with_derive("PartialEq".to_string())
        .with_map_type("::std::collections::BTreeMap");
    let mut space = TypeSpace::new(&settings);
    space.add_type_with_name(&schema, Some(spec_name.clone()))?;
    let mut file: syn::File = syn::parse2(space.to_stream())?;

    let attrs_text = hb.render("spec_attrs", glue)?;
    let spec_attrs = syn::parse::Parser::parse_str(Attribute::parse_outer, &attrs_text)?;
    let mut pass = Lossless {
        spec_name,
        spec_attrs,
        found_spec: false,
        problems: Vec::new(),
    };
    pass.visit_file_mut(&mut file);
    if !pass.found_spec {
        return Err(format!("typify generated no struct {kind}Spec").into());
    }
    if !pass.problems.is_empty() {
        return Err(pass.problems.join("\n").into());
    }
    Ok(quote::ToTokens::to_token_stream(&file).to_string())
}

/// Formats generated Rust source.
pub fn pretty(source: &str) -> Result<String, BoxError> {
    Ok(prettyplease::unparse(&syn::parse_file(source)?))
}

/// Makes typify's output lossless and checks it: every named field is an `Option` skipped when
/// absent (or the flattened map of unknown keys), an explicit `null` in an any-value field stays
/// `null`, numbers keep their JSON representation, and the schema dumps in doc comments go.
struct Lossless {
    spec_name: String,
    spec_attrs: Vec<Attribute>,
    found_spec: bool,
    problems: Vec<String>,
}

impl VisitMut for Lossless {
    fn visit_item_struct_mut(&mut self, item: &mut ItemStruct) {
        strip_schema_docs(&mut item.attrs);
        if item.ident == self.spec_name.as_str() {
            self.found_spec = true;
            item.attrs.extend(self.spec_attrs.iter().cloned());
        }
        if let syn::Fields::Named(fields) = &mut item.fields {
            for field in fields.named.iter_mut() {
                self.check_field(&item.ident.to_string(), field);
            }
        }
        visit_mut::visit_item_struct_mut(self, item);
    }

    fn visit_item_enum_mut(&mut self, item: &mut syn::ItemEnum) {
        strip_schema_docs(&mut item.attrs);
        visit_mut::visit_item_enum_mut(self, item);
    }

    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::Path(p) = ty
            && p.qself.is_none()
            && p.path.is_ident("f64")
        {
            *ty = syn::parse_quote!(::serde_json::Number);
            return;
        }
        visit_mut::visit_type_mut(self, ty);
    }
}

impl Lossless {
    fn check_field(&mut self, owner: &str, field: &mut Field) {
        let name = field
            .ident
            .as_ref()
            .map_or_else(|| "<tuple>".to_string(), ToString::to_string);
        let serde_attrs: Vec<String> = field
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("serde"))
            .map(|a| {
                quote::ToTokens::to_token_stream(a)
                    .to_string()
                    .replace(' ', "")
            })
            .collect();
        if serde_attrs.iter().any(|a| a.contains("flatten")) {
            return;
        }
        let ty = quote::ToTokens::to_token_stream(&field.ty)
            .to_string()
            .replace(' ', "");
        if !ty.starts_with("::std::option::Option<") {
            self.problems.push(format!(
                "{owner}.{name}: generated type {ty} is not an Option"
            ));
            return;
        }
        if !serde_attrs.iter().any(|a| a.contains("Option::is_none")) {
            self.problems.push(format!(
                "{owner}.{name}: not skipped when absent: {serde_attrs:?}"
            ));
        }
        if ty == "::std::option::Option<::serde_json::Value>" {
            field.attrs.push(syn::parse_quote!(
                #[serde(deserialize_with = "crate::kinds::present")]
            ));
        }
    }
}

/// Drops typify's `<details>` JSON schema dump from doc comments (it repeats the whole schema
/// under every type).
fn strip_schema_docs(attrs: &mut Vec<Attribute>) {
    let mut inside = false;
    attrs.retain(|attr| {
        if !attr.path().is_ident("doc") {
            return true;
        }
        let text = quote::ToTokens::to_token_stream(attr).to_string();
        if text.contains("<details>") {
            inside = true;
        }
        let keep = !inside;
        if text.contains("</details>") {
            inside = false;
        }
        keep
    });
}

/// The data the `spec_attrs` template renders the `#[kube(...)]` attribute from.
pub fn glue(
    kind: &crate::manifest::KindDef,
    columns: &[crate::manifest::PrinterColumn],
) -> Result<Value, BoxError> {
    let columns: Vec<String> = columns
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<_, _>>()?;
    Ok(json!({
        "group": kind.group,
        "version": kind.version,
        "kind": kind.kind,
        "plural": kind.plural,
        "short_names": kind.short_names,
        "printer_columns": columns,
    }))
}
