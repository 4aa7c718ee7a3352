//! README's method table against the registry (`Method::ALL`): every method has a row under its
//! `--method` name, in the registry's order, and no row names a method that does not exist.

use xai::explain::Method;

/// The `--method` names of README's table, in row order (`grad-efs` / `grad-ifs` rows name two).
fn readme_method_names() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("reading README.md");
    let table = readme
        .split("| method (`--method`) |")
        .nth(1)
        .expect("README has the method table")
        .split("\n\n")
        .next()
        .unwrap();
    table
        .lines()
        .skip(2)
        .filter_map(|row| row.split('|').nth(1))
        .flat_map(|cell| cell.split(" / ").map(|n| n.trim().trim_matches('`').to_string()))
        .collect()
}

#[test]
fn readme_method_table_lists_every_registered_method_once() {
    let names = readme_method_names();
    let registry: Vec<String> = Method::ALL.iter().map(|m| m.name().to_string()).collect();
    assert_eq!(names, registry, "README's method table and Method::ALL differ");
}
