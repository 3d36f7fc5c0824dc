//! The JSON Schema (draft 2020-12) of scenario files, generated from the field table so it always matches
//! what the reader accepts. `docs/scenario.schema.json` is this output; a test keeps them equal.

use crate::fields::{self, Kind};
use crate::json::quote;
use crate::presets;

enum Node {
    Leaf(String),
    Branch(Vec<(String, Node)>),
}

fn kind_schema(kind: Kind, help: &str) -> String {
    let d = quote(help);
    match kind {
        Kind::Bool => format!("{{\"description\": {d}, \"type\": \"boolean\"}}"),
        Kind::Number { min, max } => format!("{{\"description\": {d}, \"type\": \"integer\", \"minimum\": {min}, \"maximum\": {max}}}"),
        Kind::Text { max } => format!("{{\"description\": {d}, \"type\": \"string\", \"maxLength\": {max}}}"),
        Kind::Choice(names) => {
            let mut values: Vec<String> = names.iter().map(|n| quote(n)).collect();
            values.extend(names.iter().filter(|n| n.parse::<u32>().is_ok()).map(|n| n.to_string()));
            format!("{{\"description\": {d}, \"enum\": [{}]}}", values.join(", "))
        }
        Kind::Duration => format!(
            "{{\"description\": {d}, \"anyOf\": [{{\"type\": \"string\", \"pattern\": \"^[0-9]+$|^([0-9]+[smhd])+$\"}}, {{\"type\": \"integer\", \"minimum\": 0}}]}}"
        ),
        Kind::Address | Kind::OptionalAddress => format!("{{\"description\": {d}, \"type\": \"string\", \"maxLength\": 254}}"),
        Kind::Addresses { max } => format!(
            "{{\"description\": {d}, \"anyOf\": [{{\"type\": \"array\", \"items\": {{\"type\": \"string\", \"maxLength\": 254}}, \"minItems\": 1, \"maxItems\": {max}}}, {{\"type\": \"string\"}}]}}"
        ),
        Kind::HostName { .. } => format!("{{\"description\": {d}, \"type\": \"string\", \"maxLength\": 253}}"),
        Kind::Ip => format!("{{\"description\": {d}, \"type\": \"string\", \"format\": \"ipv4\"}}"),
        Kind::Network => format!(
            "{{\"description\": {d}, \"type\": \"string\", \"pattern\": \"^[0-9]{{1,3}}(\\\\.[0-9]{{1,3}}){{3}}/[0-9]{{1,2}}$\"}}"
        ),
        Kind::Names { max } => {
            format!("{{\"description\": {d}, \"type\": \"array\", \"items\": {{\"type\": \"string\", \"maxLength\": 64}}, \"maxItems\": {max}}}")
        }
    }
}

fn insert(tree: &mut Vec<(String, Node)>, path: &[&str], leaf: String) {
    let (head, rest) = (path[0].to_string(), &path[1..]);
    if rest.is_empty() {
        tree.push((head, Node::Leaf(leaf)));
        return;
    }
    if !tree.iter().any(|(k, _)| *k == head) {
        tree.push((head.clone(), Node::Branch(Vec::new())));
    }
    if let Some((_, Node::Branch(children))) = tree.iter_mut().find(|(k, _)| *k == head) {
        insert(children, rest, leaf);
    }
}

fn write(node: &[(String, Node)], depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    out.push_str("{\n");
    out.push_str(&format!(
        "{pad}  \"type\": \"object\",\n{pad}  \"additionalProperties\": false,\n{pad}  \"properties\": {{\n"
    ));
    for (i, (k, n)) in node.iter().enumerate() {
        out.push_str(&format!("{pad}    {}: ", quote(k)));
        match n {
            Node::Leaf(s) => out.push_str(s),
            Node::Branch(children) => write(children, depth + 2, out),
        }
        out.push_str(if i + 1 < node.len() { ",\n" } else { "\n" });
    }
    out.push_str(&format!("{pad}  }}\n{pad}}}"));
}

/// The schema as pretty JSON.
pub fn json_schema() -> String {
    let mut tree: Vec<(String, Node)> = Vec::new();
    insert(
        &mut tree,
        &["format"],
        format!(
            "{{\"description\": \"File format version\", \"type\": \"integer\", \"minimum\": 1, \"maximum\": {}}}",
            crate::file::FORMAT
        ),
    );
    let slugs: Vec<String> = presets::ALL.iter().map(|p| quote(p.slug)).collect();
    insert(
        &mut tree,
        &["preset"],
        format!("{{\"description\": \"Start from this preset\", \"enum\": [{}]}}", slugs.join(", ")),
    );
    for (key, help, kind) in fields::all() {
        let path: Vec<&str> = key.split('.').collect();
        insert(&mut tree, &path, kind_schema(kind, help));
    }
    let mut body = String::new();
    write(&tree, 0, &mut body);
    let body = body.trim_start_matches('{');
    format!(
        "{{\n  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\",\n  \"$id\": \"https://mailpath.example/scenario.schema.json\",\n  \"title\": \"Mailpath scenario\",{body}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_is_valid_json_and_lists_every_setting() {
        let text = json_schema();
        let doc = crate::json::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let crate::json::Value::Obj(top) = doc.value else { panic!() };
        assert!(top.iter().any(|(k, _)| k == "properties"));
        for (key, ..) in fields::all() {
            let last = key.rsplit('.').next().unwrap();
            assert!(text.contains(&format!("\"{last}\"")), "{key}");
        }
    }

    #[test]
    fn the_format_document_lists_every_setting() {
        let doc = include_str!("../../../docs/scenario-format.md");
        for (key, ..) in fields::all() {
            assert!(
                doc.contains(&format!("| `{key}` |")),
                "docs/scenario-format.md misses {key}: regenerate its table with `mailpath settings`"
            );
        }
    }

    #[test]
    fn the_documented_schema_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/scenario.schema.json");
        let documented = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            documented == json_schema(),
            "docs/scenario.schema.json is out of date: regenerate it with `cargo run -p mailpath-cli -- schema > docs/scenario.schema.json`"
        );
    }
}
