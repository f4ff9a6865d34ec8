//! Terraform properties: for any valid project name, every generated file parses as HCL and
//! every AWS name fits its resource type's rules; any string survives HCL quoting unchanged.
//! The rule engine's own HCL reader agrees with a full HCL parser (hcl-rs) on every preset's
//! Terraform and on any quoted string.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use shipshape_core::generate;
use shipshape_core::generate::terraform::{AwsNames, lock_table, state_bucket};
use shipshape_core::hcl;
use shipshape_core::model::{Field, PRESETS, Stage, preset};
use shipshape_core::rules::hcl::{self as reader, Item, Kind, Value};

fn aws_name_ok(name: &str, max: usize) -> bool {
    name.len() <= max
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.contains("--")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_valid_project_name_gives_parseable_terraform_and_valid_aws_names(name in "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?") {
        let mut project = preset("fullstack-fastapi-react").unwrap().project();
        prop_assume!(project.set(Field::ProjectName, &name).is_ok());
        for file in generate(&project).files().iter().filter(|f| f.path.starts_with("terraform/")) {
            hcl_rs::parse(&file.contents).map_err(|e| TestCaseError::fail(format!("{}: {e}\n{}", file.path, file.contents)))?;
        }
        for stage in Stage::ALL {
            let names = AwsNames::new(&project, stage);
            prop_assert!(aws_name_ok(&names.cluster, 100), "{names:?}");
            prop_assert!(aws_name_ok(&names.database, 63), "{names:?}");
            prop_assert!(aws_name_ok(&names.cache, 40), "{names:?}");
            prop_assert!(aws_name_ok(&names.external_secrets_role, 64), "{names:?}");
        }
        let bucket = state_bucket(&project);
        prop_assert!(bucket.len() >= 3 && aws_name_ok(&bucket, 63), "{bucket}");
        prop_assert!(aws_name_ok(&lock_table(&project), 255));
    }

    #[test]
    fn any_string_survives_hcl_quoting(text in any::<String>()) {
        let source = format!("value = {}\n", hcl::quote(&text));
        let body = hcl_rs::parse(&source).map_err(|e| TestCaseError::fail(format!("{e}: {source}")))?;
        let value = body.attributes().next().unwrap().expr.clone();
        prop_assert_eq!(value, hcl_rs::Expression::String(text.clone()));
        let items = reader::parse(&source).map_err(|e| TestCaseError::fail(format!("{e:?}: {source}")))?;
        prop_assert_eq!(&items[0].kind, &Kind::Attribute { key: "value".into(), value: Value::Str(text) });
    }
}

/// Asserts that the reader's items say what hcl-rs's body says: the same blocks with the same
/// labels, the same attributes, and the same literal values.
fn agree(path: &str, items: &[Item], body: &hcl_rs::Body) {
    let structures: Vec<_> = body.iter().collect();
    assert_eq!(items.len(), structures.len(), "{path}: item count");
    for (item, structure) in items.iter().zip(structures) {
        match (&item.kind, structure) {
            (Kind::Attribute { key, value }, hcl_rs::Structure::Attribute(attribute)) => {
                assert_eq!(key, attribute.key.as_str(), "{path}:{}", item.line);
                same_value(path, item.line, value, &attribute.expr);
            }
            (
                Kind::Block {
                    kind,
                    labels,
                    body: inner,
                },
                hcl_rs::Structure::Block(block),
            ) => {
                assert_eq!(kind, block.identifier.as_str(), "{path}:{}", item.line);
                let expected: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
                assert_eq!(labels, &expected, "{path}:{}", item.line);
                agree(path, inner, &block.body);
            }
            (kind, structure) => panic!("{path}:{}: {kind:?} against {structure:?}", item.line),
        }
    }
}

fn same_value(path: &str, line: usize, value: &Value, expression: &hcl_rs::Expression) {
    use hcl_rs::Expression as E;
    match (value, expression) {
        (Value::Str(a), E::String(b)) => assert_eq!(a, b, "{path}:{line}"),
        (Value::Bool(a), E::Bool(b)) => assert_eq!(a, b, "{path}:{line}"),
        (Value::Number(a), E::Number(b)) => {
            assert_eq!(a.parse::<f64>().ok(), b.as_f64(), "{path}:{line}");
        }
        (Value::List(a), E::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path}:{line}");
            for (a, b) in a.iter().zip(b) {
                same_value(path, line, a, b);
            }
        }
        (Value::Object(a), E::Object(b)) => {
            assert_eq!(a.len(), b.len(), "{path}:{line}");
            for ((key, a), (_, b)) in a.iter().zip(b) {
                same_value(&format!("{path} {key}"), line, a, b);
            }
        }
        (Value::Expression(_), E::String(_) | E::Bool(_) | E::Number(_)) => {
            panic!("{path}:{line}: a literal read as an expression: {value:?}")
        }
        (Value::Expression(_), _) => {}
        (a, b) => panic!("{path}:{line}: {a:?} against {b:?}"),
    }
}

#[test]
fn the_rules_read_every_presets_terraform_as_a_full_parser_does() {
    let mut files = 0;
    for preset in PRESETS {
        for file in generate(&preset.project()).files() {
            if !file.path.ends_with(".tf") {
                continue;
            }
            let body = hcl_rs::parse(&file.contents).unwrap();
            let items =
                reader::parse(&file.contents).unwrap_or_else(|e| panic!("{}: {e:?}", file.path));
            agree(&file.path, &items, &body);
            files += 1;
        }
    }
    assert!(files > 0, "no Terraform generated");
}
