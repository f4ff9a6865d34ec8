//! Box-and-arrow pictures drawn as SVG text: the pipeline's jobs and the project's
//! architecture. Boxes sit on a grid of columns and rows, arrows run from one box's right side
//! to another's left side, and frames (a cloud network, a cluster) enclose columns. Every text
//! is escaped here, so a picture of user settings never becomes markup.

use std::fmt::Write as _;

/// One box.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Its `data-node` attribute, for tests and styling.
    pub id: String,
    /// CSS classes, such as `job gate`.
    pub class: &'static str,
    pub label: String,
    pub detail: String,
    pub column: usize,
    pub row: usize,
}

/// An arrow from one node (by index) to another, with its CSS class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub class: &'static str,
}

/// A labelled rectangle around columns `columns.0..=columns.1` and the first `rows` rows;
/// `depth` 0 is outermost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub label: String,
    pub columns: (usize, usize),
    pub rows: usize,
    pub depth: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Picture {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub frames: Vec<Frame>,
}

/// Box size and gaps, in SVG units; frames inset by FRAME per depth level.
const WIDTH: usize = 210;
const HEIGHT: usize = 48;
const GAP_X: usize = 64;
const GAP_Y: usize = 14;
const FRAME: usize = 24;

impl Picture {
    /// Adds a node and returns its index, for edges.
    pub fn node(
        &mut self,
        id: impl Into<String>,
        class: &'static str,
        label: impl Into<String>,
        detail: impl Into<String>,
        (column, row): (usize, usize),
    ) -> usize {
        self.nodes.push(Node {
            id: id.into(),
            class,
            label: label.into(),
            detail: detail.into(),
            column,
            row,
        });
        self.nodes.len() - 1
    }

    pub fn edge(&mut self, from: usize, to: usize, class: &'static str) {
        self.edges.push(Edge { from, to, class });
    }

    /// The picture as an `<svg>` element with id `id` and the accessible name `label`.
    pub fn svg(&self, id: &str, label: &str) -> String {
        let depth = self.frames.iter().map(|f| f.depth + 1).max().unwrap_or(0);
        let (left, top) = (1 + depth * FRAME, 1 + depth * FRAME);
        let x = |column: usize| left + column * (WIDTH + GAP_X);
        let y = |row: usize| top + row * (HEIGHT + GAP_Y);
        let columns = self.nodes.iter().map(|n| n.column + 1).max().unwrap_or(1);
        let rows = self.nodes.iter().map(|n| n.row + 1).max().unwrap_or(1);
        let (width, height) = (x(columns) - GAP_X + left, y(rows) - GAP_Y + top);
        let mut svg = String::new();
        let _ = write!(
            svg,
            "<svg id=\"{id}\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" role=\"img\" aria-label=\"{}\"><defs><marker id=\"{id}-arrow\" viewBox=\"0 0 8 8\" refX=\"8\" refY=\"4\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0 0L8 4L0 8z\"/></marker></defs>",
            escape(label, 400)
        );
        for frame in &self.frames {
            let inset = (depth - frame.depth) * FRAME;
            let (fx, fy) = (x(frame.columns.0) - inset, top - inset);
            let _ = write!(
                svg,
                "<g class=\"frame\"><rect x=\"{fx}\" y=\"{fy}\" width=\"{}\" height=\"{}\" rx=\"8\"/><text x=\"{}\" y=\"{}\">{}</text></g>",
                x(frame.columns.1) + WIDTH + inset - fx,
                y(frame.rows) - GAP_Y + inset - fy,
                fx + 8,
                fy + 16,
                escape(&frame.label, 80)
            );
        }
        for edge in &self.edges {
            let (from, to) = (&self.nodes[edge.from], &self.nodes[edge.to]);
            let (x1, y1) = (x(from.column) + WIDTH, y(from.row) + HEIGHT / 2);
            let y2 = y(to.row) + HEIGHT / 2;
            // Into the left side of a box further right; a box in the same column is reached
            // by a loop out to the right.
            let (x2, bend) = if to.column > from.column {
                (x(to.column), (x1 + x(to.column)) / 2)
            } else {
                (x1, x1 + GAP_X / 2)
            };
            let _ = write!(
                svg,
                "<path class=\"{}\" d=\"M{x1} {y1}C{bend} {y1} {bend} {y2} {x2} {y2}\" marker-end=\"url(#{id}-arrow)\"/>",
                edge.class
            );
        }
        for node in &self.nodes {
            let _ = write!(
                svg,
                "<g class=\"{}\" data-node=\"{}\" transform=\"translate({} {})\"><rect width=\"{WIDTH}\" height=\"{HEIGHT}\" rx=\"6\"/><text x=\"8\" y=\"20\">{}</text><text class=\"detail\" x=\"8\" y=\"38\">{}</text></g>",
                node.class,
                escape(&node.id, 80),
                x(node.column),
                y(node.row),
                escape(&node.label, 25),
                escape(&node.detail, 32),
            );
        }
        svg.push_str("</svg>");
        svg
    }
}

/// Text for SVG markup, cut to `most` characters.
pub fn escape(text: &str, most: usize) -> String {
    let long = text.chars().nth(most).is_some();
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if long && i + 1 == most {
            out.push('…');
            break;
        }
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boxes_arrows_and_frames_are_placed_on_the_grid() {
        let mut picture = Picture::default();
        let a = picture.node("a", "x", "A", "", (0, 0));
        let b = picture.node("b", "x", "B", "", (1, 1));
        let c = picture.node("c", "x", "C", "", (1, 0));
        picture.edge(a, b, "link");
        picture.edge(c, b, "link");
        picture.frames.push(Frame {
            label: "cluster".into(),
            columns: (1, 1),
            rows: 2,
            depth: 0,
        });
        let svg = picture.svg("p", "three boxes");
        assert!(
            svg.starts_with("<svg id=\"p\" viewBox=\"0 0 534 160\""),
            "{svg}"
        );
        assert_eq!(svg.matches("<g class=\"x\"").count(), 3);
        // Left to right, and a loop within a column.
        assert!(
            svg.contains("d=\"M235 49C267 49 267 111 299 111\""),
            "{svg}"
        );
        assert!(
            svg.contains("d=\"M509 49C541 49 541 111 509 111\""),
            "{svg}"
        );
        // The frame holds column 1's two rows, with its inset.
        assert!(
            svg.contains("<rect x=\"275\" y=\"1\" width=\"258\" height=\"158\""),
            "{svg}"
        );
    }

    #[test]
    fn text_is_escaped_and_cut() {
        let mut picture = Picture::default();
        picture.node(
            "<i>\"",
            "x",
            "<script>alert(1)</script> & more text",
            "a\"b",
            (0, 0),
        );
        let svg = picture.svg("p", "<b>");
        assert!(!svg.contains("<script>") && !svg.contains("<b>") && !svg.contains("<i>"));
        assert!(
            svg.contains(">&lt;script&gt;alert(1)&lt;/script…<"),
            "{svg}"
        );
        assert!(svg.contains("data-node=\"&lt;i&gt;&quot;\""), "{svg}");
        assert!(svg.contains(">a&quot;b<"), "{svg}");
    }
}
