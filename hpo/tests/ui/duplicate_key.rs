use hpo::SearchSpace;

#[derive(SearchSpace)]
struct Config {
    #[space(int(1, 4), int(1, 8))]
    layers: i64,
    #[space(float(0.0, 1.0), log, log)]
    rate: f64,
}

fn main() {}
