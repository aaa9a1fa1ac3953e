use hpo::SearchSpace;

#[derive(SearchSpace)]
struct Config {
    #[space(float(1e-5, 1e-1), log, step = 1e-5)]
    lr: f64,
}

fn main() {}
