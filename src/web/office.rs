//! The office build's bindings (the `office` feature): what the page makes
//! from a report's JSON — a restored run, the CSV and SQL downloads — and
//! no more. The page's core builds go without them and without the
//! workbook reader; its worker loads this build on first need.

use wasm_bindgen::prelude::*;

use super::{bad_argument, error_to_js, LAST};
use crate::recipe::{self, Recipe};

/// A value the page sends back as JSON text: read as every JSON in the core
/// is (`serde_json::from_str`), so the wasm holds one deserialiser per type
/// rather than one per reader (serde-wasm-bindgen's was another whole copy).
fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, JsValue> {
    serde_json::from_str(text).map_err(|e| bad_argument(&format!("not {what}: {e}")))
}

/// The candidate list (as in a report's `model.candidates`) as CSV text,
/// UTF-8 with a BOM, for download.
#[wasm_bindgen]
pub fn candidates_csv(candidates: &str) -> Result<String, JsValue> {
    let list: Vec<crate::score::analysis::Candidate> = from_json(candidates, "a candidate list")?;
    Ok(crate::export::candidates_csv(&list))
}

/// A saved model (the report's `model.model`) as one SQL query for the
/// warehouse, as `kequn export-sql` writes it.
#[wasm_bindgen]
pub fn model_sql(
    model: &str,
    dialect: String,
    table: String,
    id: String,
) -> Result<String, JsValue> {
    let saved: crate::score::analysis::SavedModel = from_json(model, "a saved model")?;
    let opts = crate::export::sql::SqlOptions {
        dialect: crate::export::sql::Dialect::parse(&dialect).map_err(|e| error_to_js(&e))?,
        table,
        id,
        reasons: 3,
    };
    crate::export::sql::model_sql(&saved, &opts).map_err(|e| error_to_js(&e))
}

/// Association rule sets (as in a report's `basket.overall` / `segments`) as CSV.
#[wasm_bindgen]
pub fn rules_csv(sets: &str) -> Result<String, JsValue> {
    let sets: Vec<crate::basket::report::RuleSet> = from_json(sets, "a list of rule sets")?;
    Ok(crate::export::rules_csv(&sets))
}

/// Cross-sell offers or product targets as CSV.
#[wasm_bindgen]
pub fn offers_csv(offers: &str) -> Result<String, JsValue> {
    let offers: Vec<crate::basket::recommend::Offer> = from_json(offers, "a list of offers")?;
    Ok(crate::export::offers_csv(&offers))
}

/// A report's `segment.migration` as CSV (the migration matrix).
#[wasm_bindgen]
pub fn migration_csv(migration: &str) -> Result<String, JsValue> {
    let m: crate::segment::migrate::Migration = from_json(migration, "a migration")?;
    Ok(crate::export::migration_csv(&m))
}

/// Makes a run restored in the page (from its history or a session file)
/// the last one, so that the downloads are of the run on screen. A report
/// that does not read back leaves no last run: the downloads then ask for
/// a new run rather than give another run's results.
#[wasm_bindgen]
pub fn restore_last(recipe_json: &str, report_json: &str) -> Result<(), JsValue> {
    LAST.with(|l| *l.borrow_mut() = None);
    let recipe = Recipe::from_json(recipe_json).map_err(|e| error_to_js(&e))?;
    let report: crate::recipe::Report = serde_json::from_str(report_json)
        .map_err(|e| bad_argument(&format!("not a kequn report: {e}")))?;
    LAST.with(|l| {
        *l.borrow_mut() = Some(recipe::Previous {
            recipe,
            report,
            inputs: None,
        })
    });
    Ok(())
}

/// Customer plans (as in a report's `plan.customers`) as CSV.
#[wasm_bindgen]
pub fn plans_csv(plans: &str) -> Result<String, JsValue> {
    let plans: Vec<crate::plan::CustomerPlan> = from_json(plans, "a list of plans")?;
    Ok(crate::export::plans_csv(&plans))
}
