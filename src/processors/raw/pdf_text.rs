//! Positioned text out of a PDF, for the raw processors that read NBA.com PDFs (injury report, gamebook).
//!
//! `pdf-extract` (pure Rust, on `lopdf`) decodes the fonts and reports every glyph with its text-space
//! transform; this module turns the glyphs into [`Word`]s (page, x, y from the top of the page) and groups them
//! into [`Line`]s, so a parser can read tables by column position instead of by content-stream order.
//!
//! Invariants:
//! - input that is not a PDF (no `%PDF-` header), a PDF that fails to load or to interpret, and a PDF library
//!   panic on hostile input are all `ProcessorError::BadInput` naming the object — never a panic out of here
//!   (the extraction runs under `catch_unwind`);
//! - the output is a deterministic function of the bytes (words sorted by page, y, x).

use std::panic::{catch_unwind, AssertUnwindSafe};

use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

use super::common::bad;
use crate::processors::ProcessorError;

/// Largest PDF accepted (an injury report is ~100 KB, a gamebook ~50 KB).
pub const MAX_PDF: usize = 32 * 1024 * 1024;

/// Deepest array / dictionary nesting accepted (real PDFs stay under 10; the PDF parser recurses per level and
/// a deep enough nesting overflows the stack, which aborts the process and cannot be caught).
const MAX_NESTING: usize = 256;

/// Most bytes the streams of one PDF may inflate to (a flate bomb would exhaust memory inside the parser).
const MAX_STREAM_BYTES: u64 = 256 * 1024 * 1024;

/// Two words whose baselines differ by at most this many points are on one line.
const LINE_TOLERANCE: f64 = 3.0;

/// One word: its page (1-based), left x, baseline y measured down from the top of the page, right x.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub page: u32,
    pub x: f64,
    pub y: f64,
    pub x_end: f64,
    pub size: f64,
    pub text: String,
}

/// The words of one visual line, left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub page: u32,
    pub y: f64,
    pub words: Vec<Word>,
}

impl Line {
    /// The line's words joined by single spaces.
    pub fn text(&self) -> String {
        join(self.words.iter())
    }

    /// The words whose left edge lies in `[from, to)`, joined by spaces.
    pub fn text_between(&self, from: f64, to: f64) -> String {
        join(self.words.iter().filter(|w| w.x >= from && w.x < to))
    }
}

fn join<'a>(words: impl Iterator<Item = &'a Word>) -> String {
    words.map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ")
}

/// Every word of the PDF, sorted by (page, y, x).
pub fn words(path: &str, bytes: &[u8]) -> Result<Vec<Word>, ProcessorError> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    if !bytes.get(start..).is_some_and(|b| b.starts_with(b"%PDF-")) {
        return Err(bad(path, "not a PDF (no %PDF- header)"));
    }
    if bytes.len() > MAX_PDF {
        return Err(bad(path, format!("PDF of {} bytes is larger than {MAX_PDF}", bytes.len())));
    }
    if let Some(why) = hostile(bytes) {
        return Err(bad(path, why));
    }
    let run = catch_unwind(AssertUnwindSafe(|| -> Result<Vec<Word>, String> {
        let doc = pdf_extract::Document::load_mem(bytes).map_err(|e| format!("unreadable PDF: {e}"))?;
        let mut dev = Collector::default();
        pdf_extract::output_doc(&doc, &mut dev).map_err(|e| format!("PDF text extraction failed: {e:?}"))?;
        dev.flush();
        Ok(dev.words)
    }));
    let mut words = match run {
        Ok(Ok(w)) => w,
        Ok(Err(detail)) => return Err(bad(path, detail)),
        Err(_) => return Err(bad(path, "the PDF library panicked on this file (malformed PDF)")),
    };
    words.retain(|w| w.x.is_finite() && w.y.is_finite() && !w.text.trim().is_empty());
    words.sort_by(|a, b| a.page.cmp(&b.page).then(a.y.total_cmp(&b.y)).then(a.x.total_cmp(&b.x)));
    Ok(words)
}

/// Why a PDF must not reach the parser, if it must not: nesting deeper than [`MAX_NESTING`] in its objects or
/// in any flate stream that holds PDF syntax (content streams, object streams), or streams that inflate past
/// [`MAX_STREAM_BYTES`]. Binary streams (fonts, images) are inflated for the size check but not scanned.
fn hostile(bytes: &[u8]) -> Option<String> {
    use std::io::Read;
    let mut outside = Vec::with_capacity(bytes.len());
    let mut inflated_total = 0u64;
    let mut rest = bytes;
    while let Some(at) = find(rest, b"stream") {
        let is_start = at < 3 || &rest[at - 3..at] != b"end";
        let (head, tail) = rest.split_at(at + b"stream".len());
        outside.extend_from_slice(head);
        rest = tail;
        if !is_start {
            continue;
        }
        let data_len = find(rest, b"endstream").unwrap_or(rest.len());
        let (data, after) = rest.split_at(data_len);
        rest = after;
        let data = data.strip_prefix(b"\r\n").or_else(|| data.strip_prefix(b"\n")).unwrap_or(data);
        let mut inflated = Vec::new();
        let limit = MAX_STREAM_BYTES - inflated_total + 1;
        let _ = flate2::read::ZlibDecoder::new(data).take(limit).read_to_end(&mut inflated);
        inflated_total += inflated.len() as u64;
        if inflated_total > MAX_STREAM_BYTES {
            return Some(format!("the PDF's streams inflate past {MAX_STREAM_BYTES} bytes"));
        }
        let body: &[u8] = if inflated.is_empty() { data } else { &inflated };
        if looks_textual(body) && nesting(body) > MAX_NESTING {
            return Some(format!("a PDF stream nests deeper than {MAX_NESTING} levels"));
        }
    }
    outside.extend_from_slice(rest);
    (nesting(&outside) > MAX_NESTING).then(|| format!("the PDF's objects nest deeper than {MAX_NESTING} levels"))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// PDF syntax rather than font or image data: mostly printable ASCII at the start.
fn looks_textual(b: &[u8]) -> bool {
    let head = &b[..b.len().min(4096)];
    let text = head.iter().filter(|c| c.is_ascii_graphic() || c.is_ascii_whitespace()).count();
    !head.is_empty() && text * 10 >= head.len() * 9
}

/// Deepest `[` / `<<` nesting, skipping literal strings and comments.
fn nesting(b: &[u8]) -> usize {
    let (mut depth, mut max, mut i) = (0usize, 0usize, 0usize);
    while let Some(&c) = b.get(i) {
        match c {
            b'(' => {
                // Skip a literal string: balanced parentheses, backslash escapes.
                let mut level = 0usize;
                while let Some(&d) = b.get(i) {
                    match d {
                        b'\\' => i += 1,
                        b'(' => level += 1,
                        b')' => {
                            level -= 1;
                            if level == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'%' => {
                while b.get(i).is_some_and(|d| *d != b'\n' && *d != b'\r') {
                    i += 1;
                }
            }
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'<' if b.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 1;
            }
            b'>' if b.get(i + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => {}
        }
        max = max.max(depth);
        i += 1;
    }
    max
}

/// Group sorted words into lines (same page, baselines within [`LINE_TOLERANCE`]).
pub fn lines(words: Vec<Word>) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    for w in words {
        match out.last_mut() {
            Some(l) if l.page == w.page && (w.y - l.y).abs() <= LINE_TOLERANCE => l.words.push(w),
            _ => out.push(Line { page: w.page, y: w.y, words: vec![w] }),
        }
    }
    for l in &mut out {
        l.words.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    out
}

/// The lines of a PDF.
pub fn pdf_lines(path: &str, bytes: &[u8]) -> Result<Vec<Line>, ProcessorError> {
    Ok(lines(words(path, bytes)?))
}

/// Collects glyphs into words: a word ends at a space, a jump back or down, or a horizontal gap.
#[derive(Default)]
struct Collector {
    page: u32,
    page_height: f64,
    words: Vec<Word>,
    cur: Option<Word>,
}

impl Collector {
    fn flush(&mut self) {
        if let Some(w) = self.cur.take() {
            if !w.text.trim().is_empty() {
                self.words.push(w);
            }
        }
    }
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        page_num: u32,
        media_box: &MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.flush();
        self.page = page_num;
        self.page_height = media_box.ury - media_box.lly;
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        self.flush();
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        ch: &str,
    ) -> Result<(), OutputError> {
        let x = trm.m31;
        let y = self.page_height - trm.m32;
        let sx = (font_size * trm.m11 + font_size * trm.m21).abs();
        let sy = (font_size * trm.m12 + font_size * trm.m22).abs();
        let size = (sx * sy).sqrt().max(0.1);
        let advance = width * size;
        if ch.chars().all(char::is_whitespace) {
            self.flush();
            return Ok(());
        }
        let continues = self
            .cur
            .as_ref()
            .is_some_and(|w| (y - w.y).abs() <= size * 0.5 && x >= w.x_end - size * 0.5 && x <= w.x_end + size * 0.15);
        if !continues {
            self.flush();
            self.cur = Some(Word { page: self.page, x, y, x_end: x, size, text: String::new() });
        }
        if let Some(w) = self.cur.as_mut() {
            w.text.push_str(ch);
            w.x_end = x + advance;
        }
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}
