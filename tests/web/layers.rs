//! The code's layers: no two top-level modules of the library import each other, directly
//! or around a longer loop. Read from the source, so a new `use` that closes a loop fails
//! here with the loop named.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The library's top-level modules, as `src/lib.rs` declares them.
fn top_level_modules(src: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(src.join("lib.rs"))
        .unwrap()
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub mod ")?.strip_suffix(';').map(str::to_string))
        .collect()
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// Every top-level module that `code` names after `crate::`, in paths and in `use
/// crate::{a, b::c}` groups.
fn named_modules(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        let idents: Vec<&str> = match rest.strip_prefix('{') {
            // A group: the first segment of each top-level item.
            Some(group) => {
                let mut depth = 0;
                let end = group
                    .char_indices()
                    .find(|&(_, c)| {
                        depth += i32::from(c == '{') - i32::from(c == '}');
                        depth < 0
                    })
                    .map_or(group.len(), |(i, _)| i);
                let mut items = Vec::new();
                let mut depth = 0;
                let mut start = 0;
                for (i, c) in group[..end].char_indices() {
                    depth += i32::from(c == '{') - i32::from(c == '}');
                    if c == ',' && depth == 0 {
                        items.push(&group[start..i]);
                        start = i + 1;
                    }
                }
                items.push(&group[start..end]);
                items
            }
            None => vec![rest],
        };
        for ident in idents {
            let ident: String = ident.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if modules.contains(&ident) {
                named.insert(ident);
            }
        }
    }
    named
}

/// Which top-level modules each one imports (outside its tests).
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = top_level_modules(&src);
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap().as_os_str().to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if !modules.contains(&module) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let named = named_modules(code, &modules);
        graph
            .entry(module.clone())
            .or_default()
            .extend(named.into_iter().filter(|m| *m != module));
    }
    graph
}

/// A loop of imports, if there is one, as the modules along it.
fn find_loop(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        module: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|m| m == module) {
            let mut found = path[start..].to_vec();
            found.push(module.to_string());
            return Some(found);
        }
        if done.contains(module) {
            return None;
        }
        path.push(module.to_string());
        for next in graph.get(module).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(module.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|module| visit(module, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_two_top_level_modules_import_each_other() {
    let graph = imports();
    assert!(graph.len() > 10, "the modules were read: {graph:?}");
    if let Some(found) = find_loop(&graph) {
        panic!("the imports go around a loop: {}", found.join(" → "));
    }
}

#[test]
fn the_loop_finder_finds_loops() {
    let modules: BTreeSet<String> = ["a", "b", "c"].map(String::from).into();
    let named = named_modules("use crate::{a::X, b};\nfn f() { crate::c::g() }", &modules);
    assert_eq!(named, modules);
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_string(), ["b".to_string()].into()),
        ("b".to_string(), ["c".to_string()].into()),
        ("c".to_string(), ["a".to_string()].into()),
    ]
    .into();
    assert_eq!(find_loop(&graph).unwrap(), ["a", "b", "c", "a"]);
    let no_loop: BTreeMap<String, BTreeSet<String>> = [("a".to_string(), ["b".to_string()].into())].into();
    assert_eq!(find_loop(&no_loop), None);
}
