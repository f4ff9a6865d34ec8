//! Terraform properties: for any valid project name, every generated file parses as HCL and
//! every AWS name fits its resource type's rules; any string survives HCL quoting unchanged.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use shipshape_core::generate;
use shipshape_core::generate::terraform::{AwsNames, lock_table, state_bucket};
use shipshape_core::hcl;
use shipshape_core::model::{Field, Stage, preset};

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
        prop_assert_eq!(value, hcl_rs::Expression::String(text));
    }
}
