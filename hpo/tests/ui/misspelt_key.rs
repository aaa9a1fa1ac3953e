use hpo::SearchSpace;

// Transposed letters: `lgo` is one edit from `log` (and two from `len`), `setp` one from
// `step` (and two from `skip`).
#[derive(SearchSpace)]
struct Config {
    #[space(float(1e-5, 1e-1), lgo)]
    lr: f64,
    #[space(int(16, 256), setp = 16)]
    batch: i64,
}

fn main() {}
