//! The rule catalogue: every rule the app runs, by the kind of file it reads, each with its
//! docs (what it does, why it matters, an example, the fix). Findings link to their entry.
//!
//! The docs are not in the first load: the catalogue fetches `rule-docs.txt` (written from the
//! rules' doc comments by core's tests) after its first render, and the service worker keeps
//! it for offline use.

use shipshape_core::rules::{self, RuleInfo, docs_in_asset};
use yew::prelude::*;

use super::{OwnText, use_own_text};

/// The docs file, as Trunk copies it into the site.
const DOCS_FILE: &str = "rule-docs.txt";

/// The anchor of a rule's entry, for links from findings.
pub fn rule_anchor(code: &str) -> String {
    format!("rule-{code}")
}

#[component]
pub fn RuleCatalogue() -> Html {
    let loaded = use_own_text(DOCS_FILE);
    let catalogue = rules::catalogue();
    let mut families: Vec<_> = catalogue.iter().map(|r| r.family).collect();
    families.dedup();
    let sections = families.into_iter().map(|family| {
        let entries = catalogue
            .iter()
            .filter(|r| r.family == family)
            .map(|rule| entry(rule, &loaded));
        html! {
            <section class="rule-family">
                <h3>{ family.label() }</h3>
                { for entries }
            </section>
        }
    });
    html! {
        <section class="rule-catalogue" aria-labelledby="rule-catalogue-title">
            <h2 id="rule-catalogue-title">{ format!("The {} rules", catalogue.len()) }</h2>
            <p class="help">
                { "These rules check the files you paste above; every generated file passes them with \
                   no errors. Each explains what it flags, why it matters and how to fix it." }
            </p>
            { for sections }
        </section>
    }
}

fn entry(rule: &RuleInfo, loaded: &OwnText) -> Html {
    let body = match loaded {
        OwnText::Loaded(text) => match docs_in_asset(text, rule.code) {
            Some(text) => docs(text),
            None => {
                html! { <p>{ "This rule's docs are missing from " }{ DOCS_FILE }{ ". Fix: " }{ rule.fix }</p> }
            }
        },
        OwnText::Loading => html! { <p>{ "Loading the docs… Fix: " }{ rule.fix }</p> },
        OwnText::Failed(why) => {
            html! { <p>{ why.as_str() }{ ". Fix: " }{ rule.fix }</p> }
        }
    };
    html! {
        <details class="rule" id={rule_anchor(rule.code)}>
            <summary>
                <code>{ rule.code }</code>{ " " }
                <span class="name">{ rule.name }</span>{ " " }
                <span class="severity">{ rule.severity.id() }</span>
            </summary>
            { body }
        </details>
    }
}

/// The doc comment's Markdown subset: `## ` headings, fenced code, paragraphs with
/// `inline code`.
fn docs(text: &str) -> Html {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut code: Option<Vec<&str>> = None;
    let flush = |paragraph: &mut Vec<&str>, blocks: &mut Vec<Html>| {
        if !paragraph.is_empty() {
            blocks.push(html! { <p>{ inline(&paragraph.join(" ")) }</p> });
            paragraph.clear();
        }
    };
    for line in text.lines() {
        // Doc comments keep the space after `///`.
        let line = line.strip_prefix(' ').unwrap_or(line);
        if let Some(lines) = code.as_mut() {
            if line.trim_start().starts_with("```") {
                let body = lines.join("\n");
                // Focusable: an example wider than a phone scrolls, and the keyboard must reach it.
                blocks
                    .push(html! { <pre class="excerpt" tabindex="0"><code>{ body }</code></pre> });
                code = None;
            } else {
                lines.push(line);
            }
        } else if line.trim_start().starts_with("```") {
            flush(&mut paragraph, &mut blocks);
            code = Some(Vec::new());
        } else if let Some(heading) = line.strip_prefix("## ") {
            flush(&mut paragraph, &mut blocks);
            blocks.push(html! { <h4>{ heading }</h4> });
        } else if line.trim().is_empty() {
            flush(&mut paragraph, &mut blocks);
        } else {
            paragraph.push(line.trim());
        }
    }
    if let Some(lines) = code {
        blocks.push(
            html! { <pre class="excerpt" tabindex="0"><code>{ lines.join("\n") }</code></pre> },
        );
    }
    flush(&mut paragraph, &mut blocks);
    html! { <>{ for blocks }</> }
}

/// Text with `inline code` spans.
fn inline(text: &str) -> Html {
    let pieces = text.split('`').enumerate().map(|(i, piece)| {
        if i % 2 == 1 {
            html! { <code>{ piece }</code> }
        } else {
            html! { { piece } }
        }
    });
    html! { <>{ for pieces }</> }
}
