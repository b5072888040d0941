mod shared;

#[test]
fn dump_lines() {
    let Some(b) = shared::fixture("nbac_injury_report/raw_f4391904.pdf") else { return };
    let lines = hoopflow::processors::raw::pdf_text::pdf_lines("x", &b).unwrap();
    for l in &lines {
        let ws: Vec<String> = l.words.iter().map(|w| format!("{:.0}:{}", w.x, w.text)).collect();
        eprintln!("{} {:.1} {}", l.page, l.y, ws.join(" "));
    }
}
