use hpo::SearchSpace;

#[derive(SearchSpace)]
struct Config {
    #[space(float(0.0, 1.0), log)]
    lr: f64,
    #[space(int(0, 512), log)]
    width: i64,
}

fn main() {}
